import Crypto
import Foundation

/// Standard Webhooks (v1, HMAC-SHA256) verification with swift-crypto: the signature covers
/// `webhook-id.webhook-timestamp.body`; the timestamp must be within five minutes of now.
struct StandardWebhooks: Sendable {
    enum Failure: Error { case missingHeader, staleTimestamp, badSignature }

    /// The key bytes: `SymmetricKey` is not `Sendable`, so the key is made per verification from these.
    let keyBytes: Data
    static let tolerance: TimeInterval = 300

    /// `secret` is `whsec_<base64>`, as senders show it.
    init?(secret: String) {
        guard secret.hasPrefix("whsec_"), let bytes = Data(base64Encoded: String(secret.dropFirst(6))) else {
            return nil
        }
        keyBytes = bytes
    }

    /// Returns the delivery id of a correctly signed delivery.
    func verify(id: String?, timestamp: String?, signature: String?, body: some Sequence<UInt8>) throws(Failure) -> String {
        guard let id, let timestamp, let signature, let seconds = Int64(timestamp) else { throw .missingHeader }
        guard abs(Date().timeIntervalSince1970 - TimeInterval(seconds)) <= Self.tolerance else { throw .staleTimestamp }
        var signed = Data("\(id).\(timestamp).".utf8)
        signed.append(contentsOf: body)
        let key = SymmetricKey(data: keyBytes)
        // Several space-separated "v1,<base64>" entries may be present (key rotation); one match suffices.
        for entry in signature.split(separator: " ") where entry.hasPrefix("v1,") {
            if let mac = Data(base64Encoded: String(entry.dropFirst(3))),
               HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: signed, using: key) {
                return id
            }
        }
        throw .badSignature
    }
}
