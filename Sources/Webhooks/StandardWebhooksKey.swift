// swift-crypto 3.x does not yet mark its immutable key and digest values Sendable; they are safe to share.
@preconcurrency import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One configured Standard Webhooks key, decoded once at start-up.
///
/// - `whsec_<base64>` (or bare base64): an HMAC-SHA256 secret for `v1` signatures; the key is the decoded bytes.
/// - `whpk_<base64>`: an Ed25519 public key (32 bytes) for `v1a` signatures.
/// - `whsk_<base64>`: an Ed25519 secret key, as the 32-byte seed or as 64 bytes (seed then public key); it can
///   verify (through its public key) and sign, which the demo and tests use.
enum StandardWebhooksKey: Sendable {
    case symmetric(SymmetricKey)
    case ed25519Public(Curve25519.Signing.PublicKey)
    case ed25519Secret(Curve25519.Signing.PrivateKey)

    /// Shorter HMAC keys are a configuration mistake; the spec asks for 24 to 64 random bytes.
    static let minimumSecretBytes = 16

    init(configured text: String) throws(WebhookConfigurationError) {
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if let encoded = text.dropPrefix("whpk_") {
            let bytes = try Self.decode(encoded, what: "whpk_ public key")
            guard bytes.count == 32, let key = try? Curve25519.Signing.PublicKey(rawRepresentation: bytes) else {
                throw WebhookConfigurationError(index: nil, problem: "a whpk_ public key must be 32 bytes of base64")
            }
            self = .ed25519Public(key)
        } else if let encoded = text.dropPrefix("whsk_") {
            self = .ed25519Secret(try Self.secretKey(from: Self.decode(encoded, what: "whsk_ secret key")))
        } else {
            let bytes = try Self.decode(text.dropPrefix("whsec_") ?? Substring(text), what: "whsec_ secret")
            guard bytes.count >= Self.minimumSecretBytes else {
                throw WebhookConfigurationError(
                    index: nil, problem: "the secret decodes to \(bytes.count) bytes; use at least 24 random bytes")
            }
            self = .symmetric(SymmetricKey(data: bytes))
        }
    }

    /// The key `v1a` signatures are checked against, for either Ed25519 form.
    var verifyingKey: Curve25519.Signing.PublicKey? {
        switch self {
        case .symmetric: nil
        case .ed25519Public(let key): key
        case .ed25519Secret(let key): key.publicKey
        }
    }

    private static func secretKey(from bytes: [UInt8]) throws(WebhookConfigurationError) -> Curve25519.Signing.PrivateKey {
        guard bytes.count == 32 || bytes.count == 64,
              let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: bytes.prefix(32))
        else {
            throw WebhookConfigurationError(index: nil, problem: "a whsk_ secret key must be 32 or 64 bytes of base64")
        }
        // The 64-byte form repeats the public key; a mismatch means the two halves come from different keys.
        if bytes.count == 64, Array(key.publicKey.rawRepresentation) != Array(bytes.suffix(32)) {
            throw WebhookConfigurationError(
                index: nil, problem: "the whsk_ secret key's second half is not the public key of its seed")
        }
        return key
    }

    /// Configured keys are base64; missing `=` padding is forgiven, anything else is an error.
    private static func decode(_ encoded: Substring, what: String) throws(WebhookConfigurationError) -> [UInt8] {
        var padded = String(encoded)
        if padded.utf8.count % 4 != 0 { padded += String(repeating: "=", count: 4 - padded.utf8.count % 4) }
        guard !encoded.isEmpty, let data = Data(base64Encoded: padded) else {
            throw WebhookConfigurationError(index: nil, problem: "the \(what) is not valid base64")
        }
        return Array(data)
    }
}

extension WebhookScheme {
    /// Why `text` is not a Standard Webhooks key the verifier can use, or nil when it is one. Every form the
    /// reference libraries accept passes: `whsec_` + base64 with or without `=` padding, bare base64, and the
    /// Ed25519 forms `whpk_` (public key, for `v1a`) and `whsk_`. `check-config` asks this, so it never refuses what
    /// the verifier would load (nor the reverse). The key itself never appears in the answer.
    public static func standardWebhooksKeyProblem(_ text: String) -> String? {
        do {
            _ = try StandardWebhooksKey(configured: text)
            return nil
        } catch {
            return error.problem
        }
    }
}

extension String {
    func dropPrefix(_ prefix: String) -> Substring? {
        hasPrefix(prefix) ? dropFirst(prefix.count) : nil
    }
}
