// swift-crypto 3.x does not yet mark HMAC and its keys Sendable; the keyed states here are never written.
@preconcurrency import Crypto
import Foundation

/// Verifies a Standard Webhooks delivery: `webhook-id`, `webhook-timestamp` and `webhook-signature`
/// (or the same three under the `svix-` prefix), signed over `id.timestamp.body` with the exact raw body bytes.
struct StandardWebhooksCheck: Sendable {
    /// Per `v1` key, HMAC-SHA256 with the key already absorbed: keying costs as much as hashing a 1 KB body, and
    /// each check starts from a copy (the hash states are copied on first write, so checks never share one).
    private let keyedMACs: [HMAC<SHA256>]
    /// The Ed25519 keys `v1a` signatures are checked against.
    private let publicKeys: [Curve25519.Signing.PublicKey]
    let toleranceSeconds: Int64

    init(keys: [StandardWebhooksKey], toleranceSeconds: Int64) {
        keyedMACs = keys.compactMap { key in
            if case .symmetric(let secret) = key { HMAC<SHA256>(key: secret) } else { nil }
        }
        publicKeys = keys.compactMap(\.verifyingKey)
        self.toleranceSeconds = toleranceSeconds
    }

    /// Ids and timestamps are short; a signature list of a few keys fits easily. Larger values are refused
    /// before any work is done on them.
    static let maximumIdBytes = 256
    static let maximumSignatureHeaderBytes = 4096

    /// The three header names of one family. Standard Webhooks and Svix never mix names within one delivery.
    struct HeaderNames {
        let id, timestamp, signature: String

        static let standard = HeaderNames(id: "webhook-id", timestamp: "webhook-timestamp", signature: "webhook-signature")
        static let svix = HeaderNames(id: "svix-id", timestamp: "svix-timestamp", signature: "svix-signature")

        static func used(in headers: WebhookHeaders) -> HeaderNames {
            let svixOnly = headers.values(for: standard.id).isEmpty && headers.values(for: standard.signature).isEmpty
                && !headers.values(for: svix.id).isEmpty
            return svixOnly ? .svix : .standard
        }
    }

    /// Returns the delivery id (`webhook-id`), which stays the same across retries of one message.
    func verify(headers: WebhookHeaders, body: [UInt8], now: Date) throws(VerificationFailure) -> String {
        let names = HeaderNames.used(in: headers)
        let id = try Self.required(names.id, in: headers)
        guard id.utf8.count <= Self.maximumIdBytes else { throw .oversizedHeader(names.id) }
        let timestampText = try Self.required(names.timestamp, in: headers)
        let signatureValues = headers.values(for: names.signature).filter { !$0.isEmpty }
        guard !signatureValues.isEmpty else { throw .missingHeader(names.signature) }
        guard signatureValues.reduce(0, { $0 + $1.utf8.count }) <= Self.maximumSignatureHeaderBytes else {
            throw .oversizedHeader(names.signature)
        }

        guard let timestamp = WebhookTimestamp.parse(timestampText) else { throw .malformedTimestamp }
        try WebhookTimestamp.check(timestamp, now: now, tolerance: toleranceSeconds)

        let header = SignatureHeader(values: signatureValues)
        guard !header.entries.isEmpty else { throw .malformedSignature }
        let signedContent = Self.signedContent(id: id, timestamp: timestampText, body: body)
        guard header.entries.contains(where: matches(signedContent)) else { throw .signatureMismatch }
        return id
    }

    /// `id.timestamp.body`, the bytes both sides sign.
    static func signedContent(id: String, timestamp: String, body: [UInt8]) -> [UInt8] {
        var content: [UInt8] = []
        content.reserveCapacity(id.utf8.count + timestamp.utf8.count + body.count + 2)
        content += id.utf8
        content.append(UInt8(ascii: "."))
        content += timestamp.utf8
        content.append(UInt8(ascii: "."))
        content += body
        return content
    }

    private func matches(_ content: [UInt8]) -> (SignatureHeader.Entry) -> Bool {
        { entry in
            switch entry.version {
            case .v1:
                keyedMACs.contains { keyed in
                    var mac = keyed
                    mac.update(data: content)
                    // swift-crypto's `==` between a MAC and bytes is its constant-time comparison.
                    return mac.finalize() == entry.signature
                }
            case .v1a:
                publicKeys.contains { $0.isValidSignature(entry.signature, for: content) }
            }
        }
    }

    private static func required(_ name: String, in headers: WebhookHeaders) throws(VerificationFailure) -> String {
        switch headers.single(name) {
        case .absent, .value(""): throw .missingHeader(name)
        case .conflicting: throw .conflictingHeader(name)
        case .value(let value): return value
        }
    }
}
