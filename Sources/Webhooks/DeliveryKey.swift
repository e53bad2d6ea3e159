import Crypto

/// The idempotency key of one delivery, as `DeliveryLedger` remembers it.
///
/// In order of preference: the sender's delivery id (`webhook-id`, the same across retries), a key the provider's
/// payload implies (Harbor: its CloudEvents `id`, stable across retries, else event type, time, digests, scan type
/// and report ids), else the SHA-256 of the raw body (a retry resends the same bytes). Qualified by the source, so two
/// sources never share a key.
public enum DeliveryKey {
    public static func make(source: String, deliveryId: String?, payloadKey: String?, body: [UInt8]) -> String {
        if let deliveryId { return "\(source):id:\(deliveryId)" }
        if let payloadKey { return "\(source):payload:\(payloadKey)" }
        return "\(source):sha256:" + Hex.encode(SHA256.hash(data: body))
    }
}
