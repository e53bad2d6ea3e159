import HTTPCore
import ScanCore

/// The body of a webhook acknowledgement: `{"accepted": true, "duplicate": ..., "scanId": ...}`.
struct WebhookAck: Sendable {
    var accepted = true
    var duplicate: Bool
    /// The normalized scan id; null for a hint not yet resolved or an event not acted on.
    var scanId: String?

    /// `200` for a duplicate, `202` for a new delivery.
    var response: HTTPResponse {
        .json(body, status: duplicate ? .ok : .accepted)
    }

    /// Written with `JSONWriter` rather than `JSONEncoder` (which cost 8 % of a webhook), in the sorted key order
    /// the API's encoder uses everywhere.
    var body: [UInt8] {
        var writer = JSONWriter(capacity: 64)
        writer.appendRaw("{\"accepted\":")
        writer.appendBool(accepted)
        writer.appendRaw(",\"duplicate\":")
        writer.appendBool(duplicate)
        writer.appendRaw(",\"scanId\":")
        writer.appendString(scanId)
        writer.appendRaw("}")
        return writer.bytes
    }
}
