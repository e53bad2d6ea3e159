/// Why one upstream call failed. Texts carry the upstream's own message where it gave one, and never a credential.
public enum UpstreamError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A non-2xx answer other than 429. `message` is the upstream's error text (from its documented error shape),
    /// or the start of the body when it had none.
    case http(status: Int, message: String?)
    /// `429 Too Many Requests`, with the `Retry-After` the upstream asked for, if any.
    case rateLimited(retryAfter: Duration?)
    /// No complete answer within `requestTimeout`.
    case timeout
    /// The connection failed (refused, reset, DNS, TLS).
    case transport(String)
    /// A 2xx answer whose body is not the JSON the provider documents.
    case malformed(String)

    public var description: String {
        switch self {
        case .http(let status, let message?): "upstream answered \(status): \(message)"
        case .http(let status, nil): "upstream answered \(status)"
        case .rateLimited(let retryAfter?): "upstream rate limited the request (retry after \(retryAfter))"
        case .rateLimited(nil): "upstream rate limited the request"
        case .timeout: "upstream did not answer in time"
        case .transport(let reason): "upstream unreachable: \(reason)"
        case .malformed(let reason): "upstream answer not understood: \(reason)"
        }
    }
}
