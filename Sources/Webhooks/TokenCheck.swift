// swift-crypto 3.x does not yet mark its immutable key and digest values Sendable; they are safe to share.
@preconcurrency import Crypto

/// Verifies that `Authorization` equals one of the configured values (Harbor's "Auth Header").
///
/// Both sides are hashed with SHA-256 and the digests compared with swift-crypto's constant-time equality, so
/// the time taken reveals neither a matching prefix nor the configured value's length. Every configured value
/// is compared, so the time does not reveal which one matched either.
struct TokenCheck: Sendable {
    let digests: [SHA256.Digest]

    init(values: [String]) {
        digests = values.map { SHA256.hash(data: Array($0.utf8)) }
    }

    func verify(headers: WebhookHeaders) throws(VerificationFailure) {
        let presented: String
        switch headers.single("Authorization") {
        case .absent, .value(""): throw .missingHeader("Authorization")
        case .conflicting: throw .conflictingHeader("Authorization")
        case .value(let value): presented = value
        }
        let digest = SHA256.hash(data: Array(presented.utf8))
        let matched = digests.reduce(false) { found, expected in (expected == digest) || found }
        guard matched else { throw .tokenMismatch }
    }
}
