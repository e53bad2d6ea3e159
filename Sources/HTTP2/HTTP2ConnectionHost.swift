/// What an `HTTP2Connection` needs from whoever owns its socket: a way back onto the connection's thread and a
/// nudge when there are bytes to send. The server's event loop implements it; tests implement it without sockets.
public protocol HTTP2ConnectionHost: AnyObject, Sendable {
    /// Runs `job` later on the thread that owns the connection. Must never run it inline: the connection calls this
    /// from inside nghttp2 callbacks, where re-entering the session is forbidden.
    func execute(onLoop job: @escaping @Sendable () -> Void)

    /// Called on the loop thread (never from inside an nghttp2 callback) when `pendingOutput()` has new bytes that
    /// appeared outside of `receive(_:)`, e.g. a response produced by a handler task.
    func outputAvailable()

    /// Where handler tasks should run; the server passes its event loop so a handler and its connection share a
    /// thread. Nil: the global concurrent executor.
    var handlerExecutor: (any TaskExecutor)? { get }

    /// True when called on the thread that owns the connection. A handler task that finds itself there (the usual
    /// case with `handlerExecutor`) hands its response over directly instead of queueing a job and suspending.
    var isOnConnectionThread: Bool { get }

    /// How many of the bytes `pendingOutput()` handed out the peer has not received yet: what the host still
    /// buffers plus what its kernel has not had acknowledged. Streams with `maxUnsentBodyBytes` count their share
    /// of it against that bound. Called on the loop thread, only for such streams.
    var undeliveredOutputBytes: Int { get }
}

extension HTTP2ConnectionHost {
    public var handlerExecutor: (any TaskExecutor)? { nil }
    public var isOnConnectionThread: Bool { false }
    /// Hosts that cannot tell: everything handed out counts as received, so the bound covers the stream's buffer only.
    public var undeliveredOutputBytes: Int { 0 }
}
