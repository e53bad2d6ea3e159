/// The protocol spoken on a connection (HTTP/1.1, or HTTP/2 through libnghttp2), above the socket that `Connection` owns.
///
/// A handler turns received bytes into requests and responses into bytes it hands to `connection.send`. It lives on
/// the connection's loop thread and must call `connection.handlerStateChanged()` whenever its `readingState` or
/// `wantsInput` may have changed without input (a response finished, a queue drained).
protocol ConnectionProtocolHandler: AnyObject {
    /// For `HTTPServerObserver`: `"http/1.1"` or `"h2"`.
    var protocolName: String { get }
    /// What the handler waits to read; picks the timeout that runs (header, body, idle, or none while busy).
    var readingState: ConnectionDeadlines<ContinuousClock.Instant>.Reading { get }
    /// False pauses reading from the socket (for instance while pipelined requests queue up).
    var wantsInput: Bool { get }

    func receive(_ bytes: UnsafeRawBufferPointer)
    /// The peer will send nothing more (it may still read): answer what was received, then close.
    func inputEnded()
    /// The outbound buffer fell to the low-water mark: resume a suspended body producer.
    func outputDrained()
    /// A header or body timeout expired with part of a request received: answer 408 if the protocol can, then close.
    func requestTimedOut()
    /// The keep-alive connection sat idle past the idle timeout: say goodbye if the protocol can (GOAWAY), then close.
    func idleTimedOut()
    /// No new requests; let those in flight finish (answered with `Connection: close` or after GOAWAY).
    func beginGracefulShutdown()
    /// The socket is gone: fail suspended writers, cancel handlers. Called once, after the descriptor is closed.
    func connectionClosed()
}
