/// The listening socket, owned by the first loop, which hands accepted connections to all loops in turn.
///
/// One acceptor with round-robin rather than a `SO_REUSEPORT` socket per loop: every loop gets an equal share of
/// connections (the kernel's hash can put 20 of 32 on one loop), no other process of the same user can bind into our
/// port, and closing one socket refuses new connections at once. The hand-off costs a wake-up per connection, not per
/// request.
final class Acceptor {
    let fd: Int32
    let loops: [EventLoop]
    private var next = 0
    /// Out of file descriptors: accepting stops until the next tick instead of spinning on a readable listener.
    var isPaused = false

    init(fd: Int32, loops: [EventLoop]) {
        self.fd = fd
        self.loops = loops
    }

    func nextLoop() -> EventLoop {
        defer { next = (next + 1) % loops.count }
        return loops[next]
    }
}
