/// Why an exchange produced no answer. Texts name the failure only: never a URL, a query string or a header value
/// (libcurl's error buffer, which quotes host names and URLs, is not used).
public enum CurlClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `CurlRequest.timeout` passed (connect or whole exchange).
    case timeout
    /// The awaiting task was cancelled; the transfer was closed.
    case cancelled
    /// The body passed `CurlRequest.maxBodyBytes`; the transfer was closed there.
    case bodyTooLarge(limit: Int)
    /// The response's header section passed `CurlHTTPClient.maxHeaderBytes`.
    case headersTooLarge
    /// The request could not be sent as given (a scheme other than http/https, a malformed URL, CR/LF in a header).
    case invalidRequest(String)
    case connectionRefused
    case hostNotFound
    /// The proxy could not be resolved, reached, or refused the tunnel.
    case proxy(String)
    /// Handshake or verification failed (unknown CA, bad client certificate, unreadable CA file …).
    case tls(String)
    /// The connection broke before a complete answer.
    case connectionLost(String)
    /// The server's answer was not HTTP as libcurl understands it.
    case badResponse(String)
    /// Any other libcurl failure, by its fixed description.
    case other(String)

    public var description: String {
        switch self {
        case .timeout: "timed out"
        case .cancelled: "cancelled"
        case .bodyTooLarge(let limit): "answer larger than \(limit) bytes"
        case .headersTooLarge: "answer's header section too large"
        case .invalidRequest(let reason): "request not sent: \(reason)"
        case .connectionRefused: "connection refused"
        case .hostNotFound: "host not found"
        case .proxy(let reason): "proxy failure: \(reason)"
        case .tls(let reason): "TLS failure: \(reason)"
        case .connectionLost(let reason): "connection lost: \(reason)"
        case .badResponse(let reason): "bad response: \(reason)"
        case .other(let reason): reason
        }
    }
}
