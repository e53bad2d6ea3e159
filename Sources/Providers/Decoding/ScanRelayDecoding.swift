import Foundation
import ScanCore

/// ScanRelay's own events, as another ScanRelay or a pipeline relays them: `{type, data: Scan}`.
public enum ScanRelayDecoding {
    static let expected = "a ScanRelay event {type: \"scan.completed\" or \"scan.updated\", data: Scan}"

    private struct Event: Decodable {
        let type: String
        let data: JSONValue?
    }

    static func decodeWebhook(body: [UInt8], source: String) throws(WebhookDecodeError) -> DecodedWebhook {
        guard let event = try? JSONDecoder().decode(Event.self, from: Data(body)) else {
            throw .malformed("expected \(expected)")
        }
        guard event.type == "scan.completed" || event.type == "scan.updated" else {
            return DecodedWebhook(events: [.ignored(reason: "\(event.type) events are not acted on")])
        }
        guard let data = event.data, data.object != nil else { throw .malformed("data must be a Scan object") }
        var update: ScanUpdate
        do {
            update = try JSONDecoder().decode(ScanUpdate.self, from: Data(data.serialized))
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
