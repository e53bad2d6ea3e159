import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Produces signature headers the verifiers accept: for `scanrelay demo`'s sample deliveries, for relays that
/// forward events to ScanRelay, and for tests. Uses the same key parsing as verification.
public enum WebhookSigner {
    /// The `webhook-signature` value for a Standard Webhooks delivery: `v1,<base64>` for a `whsec_` secret,
    /// `v1a,<base64>` for a `whsk_` secret key. A `whpk_` public key cannot sign.
    public static func standardWebhooksSignature(
        id: String, timestamp: Int64, body: [UInt8], secret: String
    ) throws(WebhookConfigurationError) -> String {
        let content = StandardWebhooksCheck.signedContent(id: id, timestamp: String(timestamp), body: body)
        switch try StandardWebhooksKey(configured: secret) {
        case .symmetric(let key):
            return "v1," + Data(HMAC<SHA256>.authenticationCode(for: content, using: key)).base64EncodedString()
        case .ed25519Secret(let key):
            guard let signature = try? key.signature(for: content) else {
                throw WebhookConfigurationError(index: nil, problem: "the whsk_ secret key cannot sign")
            }
            return "v1a," + signature.base64EncodedString()
        case .ed25519Public:
            throw WebhookConfigurationError(index: nil, problem: "a whpk_ public key cannot sign; use the whsk_ secret key")
        }
    }

    /// The `X-Hub-Signature-256` value: `sha256=<lower-case hex HMAC-SHA256 of the body>`.
    public static func hubSignature(body: [UInt8], secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8)))
        return HubSignatureCheck.prefix + Hex.encode(mac)
    }
}
