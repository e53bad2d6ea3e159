/// One HTTP exchange to send: what goes on the wire, and the limits it runs under.
public struct CurlRequest: Sendable {
    public var method: String
    /// Absolute `http` or `https` URL; other schemes are refused before anything is sent.
    public var url: String
    /// Sent in order. Names and values must not contain CR, LF or NUL (the request is refused, not sent).
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?
    /// The whole exchange: connect, TLS, send, wait, receive. Past it the transfer is closed.
    public var timeout: Duration
    /// The connection's share of `timeout` (the smaller one wins).
    public var connectTimeout: Duration
    /// The transfer is closed as soon as the (decoded) body passes this many bytes.
    public var maxBodyBytes: Int

    public init(
        method: String = "GET", url: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil,
        timeout: Duration = .seconds(30), connectTimeout: Duration = .seconds(10), maxBodyBytes: Int = 8 << 20
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.maxBodyBytes = maxBodyBytes
    }
}

/// One complete answer. Redirects are never followed, so a 3xx is returned as it came.
public struct CurlResponse: Sendable {
    public var status: Int
    /// As received (the final response's fields only; interim 1xx and a proxy's CONNECT answer are dropped).
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first field named `name`, compared without case.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}
