// Preloaded into `scanrelay` under valgrind by scripts/bench/instructions.sh, never into the product.
//
// libdispatch's main thread parks in sigsuspend() on a mask in read-only memory; valgrind 3.19's rt_sigsuspend
// wrapper edits the mask in place and dies on the write ("the 'impossible' happened"). Handing the kernel a
// writable copy of the same mask changes nothing else.
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

int sigsuspend(const sigset_t *mask) {
    sigset_t copy = *mask;
    return (int)syscall(SYS_rt_sigsuspend, &copy, _NSIG / 8);
}
