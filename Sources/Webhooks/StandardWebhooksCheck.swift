import Crypto
import Foundation

/// Verifies a Standard Webhooks delivery: `webhook-id`, `webhook-timestamp` and `webhook-signature`
/// (or the same three under the `svix-` prefix), signed over `id.timestamp.body` with the exact raw body bytes.
struct StandardWebhooksCheck: Sendable {
    let keys: [StandardWebhooksKey]
    let toleranceSeconds: Int64

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
            keys.contains { key in
                switch (entry.version, key) {
                case (.v1, .symmetric(let secret)):
                    // Constant-time comparison inside swift-crypto.
                    HMAC<SHA256>.isValidAuthenticationCode(entry.signature, authenticating: content, using: secret)
                case (.v1a, _):
                    key.verifyingKey?.isValidSignature(entry.signature, for: content) ?? false
                case (.v1, _):
                    false
                }
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
