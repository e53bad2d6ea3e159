/// Why a delivery was refused (answered `401`). Every reason is safe to show to the sender and to log:
/// none of them carries a secret, a signature or the body.
public enum VerificationFailure: Error, Equatable, Sendable, CustomStringConvertible {
    /// A header the scheme requires is missing or empty.
    case missingHeader(String)
    /// A header the scheme requires once arrived several times with different values.
    case conflictingHeader(String)
    /// A header's value is longer than any legitimate sender produces.
    case oversizedHeader(String)
    /// `webhook-timestamp` is not plain ASCII digits of a sane length.
    case malformedTimestamp
    case timestampTooOld
    case timestampTooNew
    /// The signature header held no well-formed signature this scheme understands.
    case malformedSignature
    /// Well-formed signatures were present, but none matches any configured key.
    case signatureMismatch
    /// The `token` scheme: `Authorization` is not one of the configured values.
    case tokenMismatch

    public var description: String {
        switch self {
        case .missingHeader(let name): "missing \(name) header"
        case .conflictingHeader(let name): "\(name) header sent more than once with different values"
        case .oversizedHeader(let name): "\(name) header is too long"
        case .malformedTimestamp: "webhook-timestamp must be integer seconds since the epoch"
        case .timestampTooOld: "webhook-timestamp is too old"
        case .timestampTooNew: "webhook-timestamp is too far in the future"
        case .malformedSignature: "no well-formed signature in the signature header"
        case .signatureMismatch: "no signature matches"
        case .tokenMismatch: "Authorization does not match"
        }
    }

    /// A short stable label for metrics and logs.
    public var label: String {
        switch self {
        case .missingHeader: "missing_header"
        case .conflictingHeader: "conflicting_header"
        case .oversizedHeader: "oversized_header"
        case .malformedTimestamp: "malformed_timestamp"
        case .timestampTooOld: "timestamp_too_old"
        case .timestampTooNew: "timestamp_too_new"
        case .malformedSignature: "malformed_signature"
        case .signatureMismatch: "signature_mismatch"
        case .tokenMismatch: "token_mismatch"
        }
    }
}
