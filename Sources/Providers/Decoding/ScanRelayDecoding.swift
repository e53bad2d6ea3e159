import ScanCore

/// ScanRelay's own events, as another ScanRelay or a pipeline relays them: `{type, data: Scan}`.
public enum ScanRelayDecoding {
    static let expected = "a ScanRelay event {type: \"scan.completed\" or \"scan.updated\", data: Scan}"

    static func decodeWebhook(body: [UInt8], source: String) throws(WebhookDecodeError) -> DecodedWebhook {
        let event = try WebhookDecoding.object(body, expected: expected)
        guard let type = event["type"]?.string else { throw .malformed("expected \(expected)") }
        guard type == "scan.completed" || type == "scan.updated" else {
            return DecodedWebhook(events: [.ignored(reason: "\(type) events are not acted on")])
        }
        guard let data = event["data"]?.object else { throw .malformed("data must be a Scan object") }
        var update: ScanUpdate
        do {
            update = try RelayedScan.update(data)
        } catch {
            throw .malformed("data must be a Scan with at least upstreamId, subject.imageId and status")
        }
        guard !update.upstreamId.isEmpty, !update.subject.imageId.isEmpty else {
            throw .malformed("data.upstreamId and data.subject.imageId must not be empty")
        }
        // The receiving source always owns the scan, whatever source the relay had it under.
        update.source = source
        update.raw = body
        return DecodedWebhook(events: [.scan(update)])
    }
}
