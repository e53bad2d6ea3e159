/// Limits of the HTTP server: sizes are enforced as soon as they are crossed, timeouts per connection phase.
public struct LimitsConfiguration: Sendable, Equatable {
    /// A request body; beyond: `413`.
    public var maxBodyBytes: Int
    /// All header field lines together, not the request line; beyond: `431`.
    public var maxHeaderBytes: Int
    /// The request line; beyond: `414`.
    public var maxRequestLineBytes: Int
    /// Number of header fields; beyond: `431`.
    public var maxHeaderFields: Int
    /// Open connections; past it a new connection gets `503` with `Connection: close`.
    public var maxConnections: Int
    /// From the first byte of a request (or the accept) to the end of its header section.
    public var headerTimeout: Duration
    /// Longest pause between two reads of a request body.
    public var bodyTimeout: Duration
    /// A keep-alive connection with no request in progress is closed after this.
    public var idleTimeout: Duration
    /// Longest time a response write may make no progress (a client that stopped reading).
    public var writeTimeout: Duration
    /// On SIGTERM, requests already begun may finish within this.
    public var shutdownGrace: Duration

    public init(
        maxBodyBytes: Int = 1024 * 1024,
        maxHeaderBytes: Int = 16 * 1024,
        maxRequestLineBytes: Int = 8 * 1024,
        maxHeaderFields: Int = 100,
        maxConnections: Int = 10_000,
        headerTimeout: Duration = .seconds(10),
        bodyTimeout: Duration = .seconds(30),
        idleTimeout: Duration = .seconds(60),
        writeTimeout: Duration = .seconds(30),
        shutdownGrace: Duration = .seconds(10)
    ) {
        self.maxBodyBytes = maxBodyBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeaderFields = maxHeaderFields
        self.maxConnections = maxConnections
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
        self.writeTimeout = writeTimeout
        self.shutdownGrace = shutdownGrace
    }
}
