import CEpoll
import Glibc
import HTTP2
import HTTPCore

/// Everything that shapes the server: where it listens, how many threads, and the limits that keep one client from
/// taking it down. Every default is safe for a public address.
public struct HTTPServerConfiguration: Sendable {
    /// A numeric address or a host name: `127.0.0.1`, `::1`, `0.0.0.0`, `::`, `localhost`.
    public var host: String
    /// `0` picks a free port; read it back from `HTTPServer.localPort`.
    public var port: Int
    public var backlog: Int
    /// Threads, each with its own epoll instance. Handlers run on them too, so one per core is right.
    public var eventLoopCount: Int
    public var limits: HTTPLimits
    /// Past it a new connection gets `503` with `Connection: close` and is closed at once.
    public var maxConnections: Int
    /// From a request's first byte (or the accept) to the end of its header section: stops slowloris.
    public var headerTimeout: Duration
    /// The longest pause between two bytes of a request body.
    public var bodyTimeout: Duration
    /// How long a keep-alive connection may wait for its next request.
    public var idleTimeout: Duration
    /// The longest time pending output may make no progress (a client that stopped reading).
    public var writeTimeout: Duration
    /// After `beginGracefulShutdown`, how long requests in flight may take before their connections are closed.
    public var shutdownGrace: Duration
    /// A streamed body's producer suspends while more than this is waiting for the socket ...
    public var outboundHighWaterMark: Int
    /// ... and resumes once the backlog drained below this.
    public var outboundLowWaterMark: Int
    /// Requests read ahead of the one being answered; past it the connection stops reading until it catches up.
    public var maxPipelinedRequests: Int
    /// HTTP/2 settings (concurrent streams, windows) and abuse limits; header and body limits come from `limits`.
    public var http2 = HTTP2Configuration()

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        backlog: Int = 1024,
        eventLoopCount: Int = HTTPServerConfiguration.onlineProcessorCount,
        limits: HTTPLimits = HTTPLimits(),
        maxConnections: Int = 10_000,
        headerTimeout: Duration = .seconds(10),
        bodyTimeout: Duration = .seconds(30),
        idleTimeout: Duration = .seconds(60),
        writeTimeout: Duration = .seconds(30),
        shutdownGrace: Duration = .seconds(10),
        outboundHighWaterMark: Int = 256 * 1024,
        outboundLowWaterMark: Int = 64 * 1024,
        maxPipelinedRequests: Int = 16
    ) {
        self.host = host
        self.port = port
        self.backlog = backlog
        self.eventLoopCount = eventLoopCount
        self.limits = limits
        self.maxConnections = maxConnections
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
        self.writeTimeout = writeTimeout
        self.shutdownGrace = shutdownGrace
        self.outboundHighWaterMark = outboundHighWaterMark
        self.outboundLowWaterMark = outboundLowWaterMark
        self.maxPipelinedRequests = maxPipelinedRequests
    }

    /// The number of cores this process may run on: its CPU affinity (so `taskset -c 0` means one loop), else the
    /// online count.
    public static var onlineProcessorCount: Int {
        let allowed = Int(cepoll_available_cpus())
        return max(1, allowed > 0 ? allowed : sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }

    /// The timeouts as the per-connection state machine reads them.
    var timeouts: ConnectionTimeouts {
        ConnectionTimeouts(header: headerTimeout, body: bodyTimeout, idle: idleTimeout, write: writeTimeout)
    }
}

/// Told when connections open and close, so the application can keep a gauge without the server knowing its metrics.
public protocol HTTPServerObserver: Sendable {
    /// `protocol` is `"http/1.1"` or `"h2"`. A connection upgraded to HTTP/2 closes as `http/1.1` and opens as `h2`.
    func connectionOpened(protocol: String)
    func connectionClosed(protocol: String)
}
