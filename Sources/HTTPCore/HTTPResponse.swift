/// Receives the pieces of a streamed response body. Implemented by each protocol's connection.
///
/// `write` suspends while the peer is slow (backpressure: the connection never buffers without bound) and throws
/// `HTTPBodyWriterError.closed` once the client is gone, so a producer such as an event stream stops at once. A
/// response with `maxUnsentBodyBytes` is never held up instead: see there.
public protocol HTTPBodyWriter: Sendable {
    func write(_ bytes: [UInt8]) async throws
}

public enum HTTPBodyWriterError: Error, Sendable {
    /// The peer closed the connection or reset the stream.
    case closed
    /// The write would have left more of the body unreceived than the response's `maxUnsentBodyBytes`. The response was
    /// abandoned and its unsent bytes freed: on HTTP/1.1 the connection is closed, on HTTP/2 only the stream is reset.
    case unsentLimitExceeded
}

/// A response: status, fields and a body that is either known in full or produced over time.
public struct HTTPResponse: Sendable {
    public enum Body: Sendable {
        /// Sent with `Content-Length` (HTTP/1.1) or as DATA frames (HTTP/2).
        case bytes([UInt8])
        /// Sent chunked (HTTP/1.1) or as DATA frames as they come (HTTP/2). The producer returns to end the body.
        case stream(@Sendable (any HTTPBodyWriter) async throws -> Void)
    }

    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: Body
    /// For a streamed body whose reader may stop reading (an event feed fanned out to many clients): the most bytes
    /// of it the peer may not have received yet, wherever they wait: in the server's buffers, in the kernel's send
    /// queue (which autotunes to megabytes), or on HTTP/2 already framed into the connection's output. With it, a
    /// `write` never waits for a slow peer: it queues, or, when the bytes not yet received plus the new ones would
    /// pass this, fails with `HTTPBodyWriterError.unsentLimitExceeded` and ends the response at once, so what one
    /// reader costs is bounded by this and it is released as soon as the reader falls behind rather than one write
    /// timeout later. A write that finds nothing unreceived always goes through, however large. Nil: writes suspend
    /// while the peer is slow.
    public var maxUnsentBodyBytes: Int?

    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = [:], body: Body = .bytes([]), maxUnsentBodyBytes: Int? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.maxUnsentBodyBytes = maxUnsentBodyBytes
    }

    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = [:], bytes: [UInt8]) {
        self.init(status: status, headers: headers, body: .bytes(bytes))
    }

    /// A UTF-8 text response.
    public static func text(_ text: String, status: HTTPStatus = .ok, contentType: String = "text/plain; charset=utf-8") -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": contentType], bytes: Array(text.utf8))
    }
}

/// Anything that answers requests: the router, a middleware chain, a test double.
public protocol HTTPResponder: Sendable {
    func respond(to request: HTTPRequest) async -> HTTPResponse

    /// Asked only about a request whose body is over `maxBodyBytes`, from its head alone (no body), before the server
    /// answers `413`: an answer the application ranks before the size check (an unknown webhook source is `404`
    /// whatever its size), or nil for `413`. Runs on the connection's thread: a lookup, never I/O.
    func answerBeforeBody(to head: HTTPRequest) -> HTTPResponse?
}

extension HTTPResponder {
    public func answerBeforeBody(to head: HTTPRequest) -> HTTPResponse? { nil }
}

/// A responder made from a closure.
public struct ClosureResponder: HTTPResponder {
    let body: @Sendable (HTTPRequest) async -> HTTPResponse
    public init(_ body: @escaping @Sendable (HTTPRequest) async -> HTTPResponse) { self.body = body }
    public func respond(to request: HTTPRequest) async -> HTTPResponse { await body(request) }
}
