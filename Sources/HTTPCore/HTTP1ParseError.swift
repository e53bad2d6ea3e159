/// Why the HTTP/1.1 parser refused a request: the status to answer (with `Connection: close`) and a short reason
/// that goes into the problem+json `detail`.
public struct HTTP1ParseError: Error, Sendable, Equatable {
    /// One of 400, 413, 414, 431, 501, 505.
    public let status: HTTPStatus
    /// Short human text, e.g. "duplicate Content-Length".
    public let reason: String

    public init(status: HTTPStatus, reason: String) {
        self.status = status
        self.reason = reason
    }

    static func badRequest(_ reason: String) -> HTTP1ParseError { HTTP1ParseError(status: .badRequest, reason: reason) }

    static func bodyTooLarge(limit: Int) -> HTTP1ParseError {
        HTTP1ParseError(status: .contentTooLarge, reason: "body larger than \(limit) bytes")
    }
}
