#ifndef SCANRELAY_CEPOLL_H
#define SCANRELAY_CEPOLL_H
// Linux event-loop primitives that Glibc's Swift overlay does not surface completely.
#ifdef __linux__
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#endif
#endif
