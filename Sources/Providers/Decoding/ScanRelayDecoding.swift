import ScanCore

/// ScanRelay's own events, as another ScanRelay or a pipeline relays them: `{type, data: Scan}`.
public enum ScanRelayDecoding {
    static let expected = "a ScanRelay event {type: \"scan.completed\" or \"scan.updated\", data: Scan}"

    static func decodeWebhook(body: [UInt8], source: String) throws(WebhookDecodeError) -> DecodedWebhook {
        // Read in place rather than as a `JSONValue` tree: one relayed scan is the whole body (`JSONDocument`).
        guard let event = JSONParser.parse(body, maximumDepth: JSONValue.maximumDepth)?.root, event.kind == .object else {
            throw .malformed("expected a JSON object: \(expected)")
        }
        guard let type = event["type"]?.text, !type.isEmpty else { throw .malformed("expected \(expected)") }
        guard type == "scan.completed" || type == "scan.updated" else {
            return DecodedWebhook(events: [.ignored(reason: "\(type) events are not acted on")])
        }
        guard let data = event["data"], data.kind == .object else { throw .malformed("data must be a Scan object") }
        var update: ScanUpdate
        do {
            update = try RelayedScan.update(data)
        } catch {
            throw .malformed("data must be a Scan with at least upstreamId, subject.imageId and status")
        }
        _ = try WebhookDecoding.printableId(update.upstreamId, at: "data.upstreamId")
        _ = try WebhookDecoding.printableId(
            update.subject.imageId, at: "data.subject.imageId", maximumBytes: WebhookDecoding.maximumImageIdBytes)
        // The receiving source always owns the scan, whatever source the relay had it under.
        update.source = source
        update.raw = body
        return DecodedWebhook(events: [.scan(update)])
    }
}
