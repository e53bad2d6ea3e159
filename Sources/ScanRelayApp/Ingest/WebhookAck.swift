import HTTPCore

/// The body of a webhook acknowledgement: `{"accepted": true, "duplicate": ..., "scanId": ...}`.
struct WebhookAck: Encodable, Sendable {
    var accepted = true
    var duplicate: Bool
    /// The normalized scan id; null for a hint not yet resolved or an event not acted on.
    var scanId: String?

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(accepted, forKey: .accepted)
        try container.encode(duplicate, forKey: .duplicate)
        try container.encode(scanId, forKey: .scanId)
    }

    private enum CodingKeys: String, CodingKey { case accepted, duplicate, scanId }

    /// `200` for a duplicate, `202` for a new delivery.
    var response: HTTPResponse {
        .json(encoding: self, status: duplicate ? .ok : .accepted)
    }
}
