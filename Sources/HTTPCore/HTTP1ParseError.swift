/// Why the HTTP/1.1 parser refused a request: the status to answer (with `Connection: close`) and a short reason
/// that goes into the problem+json `detail`.
public struct HTTP1ParseError: Error, Sendable, Equatable {
    /// One of 400, 413, 414, 431, 501, 505.
    public let status: HTTPStatus
    /// Short human text, e.g. "duplicate Content-Length".
    public let reason: String
    /// The request's head (no body) when its body was too large: the server may answer it otherwise (see
    /// `HTTPResponder.answerBeforeBody`). Not part of equality.
    public internal(set) var head: HTTPRequest?

    public init(status: HTTPStatus, reason: String) {
        self.status = status
        self.reason = reason
    }

    public static func == (a: HTTP1ParseError, b: HTTP1ParseError) -> Bool {
        a.status == b.status && a.reason == b.reason
    }

    static func badRequest(_ reason: String) -> HTTP1ParseError { HTTP1ParseError(status: .badRequest, reason: reason) }

    static func bodyTooLarge(limit: Int) -> HTTP1ParseError {
        HTTP1ParseError(status: .contentTooLarge, reason: "body larger than \(limit) bytes")
    }
}
