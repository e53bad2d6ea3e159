#ifndef SCANRELAY_CEPOLL_H
#define SCANRELAY_CEPOLL_H
// Linux event-loop primitives that Glibc's Swift overlay does not surface completely.
#ifdef __linux__
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <linux/sockios.h>

// Event bits as plain integers (the C enum imports as a distinct Swift type).
static const uint32_t CEPOLL_IN = EPOLLIN;
static const uint32_t CEPOLL_OUT = EPOLLOUT;
static const uint32_t CEPOLL_RDHUP = EPOLLRDHUP;
static const uint32_t CEPOLL_ERR = EPOLLERR;
static const uint32_t CEPOLL_HUP = EPOLLHUP;

static inline int cepoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

// `struct epoll_event` is packed on x86-64; these keep Swift from taking its fields' addresses.
static inline int cepoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event event;
    event.events = events;
    event.data.u64 = data;
    return epoll_ctl(epfd, op, fd, &event);
}
static inline uint32_t cepoll_event_flags(const struct epoll_event *events, int index) { return events[index].events; }
static inline uint64_t cepoll_event_data(const struct epoll_event *events, int index) { return events[index].data.u64; }

static inline int cepoll_eventfd(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

// Sockets are created and accepted non-blocking and close-on-exec in one call.
static inline int cepoll_socket(int domain) { return socket(domain, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0); }
// accept4 is a GNU extension; declared here because the system headers hide it without _GNU_SOURCE.
extern int accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);
static inline int cepoll_accept(int fd, struct sockaddr_storage *address, socklen_t *length) {
    return accept4(fd, (struct sockaddr *)address, length, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

// The CPUs this process may run on (what `taskset` restricts), unlike sysconf's count of online CPUs; 0 if unknown.
extern int sched_getaffinity(pid_t pid, size_t size, cpu_set_t *mask);
static inline int cepoll_available_cpus(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0) return 0;
    int count = 0;
    const unsigned char *bytes = (const unsigned char *)&set;
    for (size_t i = 0; i < sizeof set; i++) count += __builtin_popcount(bytes[i]);
    return count;
}

// Bytes in a TCP socket's send queue that the peer has not acknowledged (SIOCOUTQ; ioctl is variadic, so not
// callable from Swift): for a peer that stopped reading, what its kernel refused beyond its receive buffer. -1 on
// error.
static inline int cepoll_unacknowledged_bytes(int fd) {
    int count = 0;
    return ioctl(fd, SIOCOUTQ, &count) == 0 ? count : -1;
}
#endif
#endif
