#!/usr/bin/env bash
# The whole Swift test suite built and run under a sanitizer: scripts/sanitized-tests.sh address|thread.
# Each kind has its own scratch path (.build-asan, .build-tsan), so it never invalidates the plain debug build.
# The options below reach the test bundle and, through the inherited environment, every `scanrelay` child the CLI
# tests start (that binary is built with the same sanitizer).
set -euo pipefail
cd "$(dirname "$0")/.."
suppressions="$PWD/scripts/sanitizers"

case "${1:-}" in
address)
    scratch=.build-asan
    # detect_leaks=1: LeakSanitizer is on by default on Linux; said here because it is meant: our leaks fail the run.
    # halt_on_error=1: the first memory error ends the process (ASan's default, stated so nobody turns it off).
    # suppressions: leaks owned by libcurl / Foundation / XCTest, each entry explained in the file.
    # print_suppressions=0: the per-exit table of matched suppressions would flood the log of every child process.
    export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1"
    export LSAN_OPTIONS="suppressions=$suppressions/lsan.supp:print_suppressions=0"
    ;;
thread)
    # Our shared state is guarded by Sources/Locking's pthread lock, which ThreadSanitizer sees;
    # Synchronization.Mutex (a futex inside the uninstrumented standard library) it cannot, so the one package
    # that still uses it, swift-subprocess (tests only), is suppressed by its source path in tsan.supp.
    scratch=.build-tsan
    # halt_on_error=1: the first data race ends the process with its report, instead of a run that goes on and
    # fails only at exit with the report buried thousands of lines up.
    # second_deadlock_stack=1: lock-order reports show both acquisitions.
    export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$suppressions/tsan.supp"
    ;;
*)
    echo "usage: $0 address|thread" >&2
    exit 2
    ;;
esac

swift build --build-tests --sanitize="$1" --scratch-path "$scratch"
# One test at a time: run in parallel, the sanitized suite (704 tests, servers, curl and python children) saturates a
# two-core machine, and tests that bound real time (long-polls, shutdown grace, write timeouts) missed their bounds —
# failures of the machine, not of the code. Serial, the ThreadSanitizer run takes about 3.5 minutes and is green.
swift test --skip-build --sanitize="$1" --scratch-path "$scratch" --no-parallel
