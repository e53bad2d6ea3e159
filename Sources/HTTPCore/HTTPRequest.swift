/// A complete request, as the HTTP/1.1 parser or the HTTP/2 session hands it to the application.
///
/// Bodies are bounded by `HTTPLimits.maxBodyBytes` and arrive whole: every handler in this service needs the full
/// body (signatures are computed over the raw bytes), so streaming request bodies would buy nothing but complexity.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    /// The request target exactly as received (origin form: path and optional query), e.g. `/v1/scans?limit=5`.
    public var target: String
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Filled by the router from `{name}` segments, percent-decoded.
    public var pathParameters: [String: String]
    /// The router's decision, set once per request before any middleware runs (see `Router.responder(behind:)`);
    /// nil until then.
    public internal(set) var routing: Routing?
    /// The peer's address as text (`127.0.0.1`, `::1`), when known.
    public var remoteAddress: String?

    public init(
        method: HTTPMethod,
        target: String,
        version: HTTPVersion = .http1_1,
        headers: HTTPHeaders = [:],
        body: [UInt8] = [],
        remoteAddress: String? = nil
    ) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.body = body
        self.pathParameters = [:]
        self.routing = nil
        self.remoteAddress = remoteAddress
    }

    /// The route this request matched, once routed; nil when none did (or before routing).
    public var matchedRoute: MatchedRoute? {
        if case .matched(let route) = routing { return route }
        return nil
    }

    /// The path part of the target, still percent-encoded.
    public var path: Substring {
        if let q = queryMark { return target[..<q] }
        return target[...]
    }

    /// The raw query string after `?`, if any.
    public var query: Substring? {
        guard let q = queryMark else { return nil }
        return target[target.index(after: q)...]
    }

    /// Where the `?` is, found as a byte: searching the `String` walks grapheme clusters, which cost thousands of
    /// instructions per request on every path and query read.
    private var queryMark: String.Index? { target.utf8.firstIndex(of: UInt8(ascii: "?")) }

    /// True when the client asked to keep the connection open after this request (HTTP/1.x semantics).
    public var wantsKeepAlive: Bool {
        switch version {
        case .http1_0: headers.listContains("Connection", token: "keep-alive")
        case .http1_1: !headers.listContains("Connection", token: "close")
        case .http2: true
        }
    }
}
