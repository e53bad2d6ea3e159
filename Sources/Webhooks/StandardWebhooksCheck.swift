// swift-crypto 3.x does not yet mark HMAC and its keys Sendable; the keyed states here are never written.
@preconcurrency import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

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
            let svixOnly = !headers.contains(standard.id) && !headers.contains(standard.signature)
                && headers.contains(svix.id)
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
        guard matches(header.entries, signedContent) else { throw .signatureMismatch }
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

    /// Whether any entry is a valid signature of `content`. `v1` costs one MAC per configured key, however many
    /// entries the header lists: each key's MAC is computed once and compared with every entry (constant time), so
    /// a list of bad entries over a large body costs no more than one. `v1a` has to verify each entry under each key
    /// (an Ed25519 check hashes the entry's own `R` with the content), so its entries are bounded separately.
    private func matches(_ entries: [SignatureHeader.Entry], _ content: [UInt8]) -> Bool {
        let v1 = entries.filter { $0.version == .v1 }
        if !v1.isEmpty {
            for keyed in keyedMACs {
                var mac = keyed
                mac.update(data: content)
                let code = mac.finalize()
                // swift-crypto's `==` between a MAC and bytes is its constant-time comparison; every entry is
                // compared, matched or not, so timing says nothing about which one matched.
                var matched = false
                for entry in v1 where code == entry.signature { matched = true }
                if matched { return true }
            }
        }
        let v1a = entries.lazy.filter { $0.version == .v1a }.prefix(Self.maximumAsymmetricEntries)
        return v1a.contains { entry in publicKeys.contains { $0.isValidSignature(entry.signature, for: content) } }
    }

    /// A sender signs once per active key; more `v1a` entries than this are not a rotation but an attempt to make
    /// us verify signatures over a large body again and again.
    static let maximumAsymmetricEntries = 4

    private static func required(_ name: String, in headers: WebhookHeaders) throws(VerificationFailure) -> String {
        switch headers.single(name) {
        case .absent, .value(""): throw .missingHeader(name)
        case .conflicting: throw .conflictingHeader(name)
        case .value(let value): return value
        }
    }
}
