import Foundation
import ScanCore

/// Harbor scan webhooks, in its Default format (`{type, occur_at, event_data}`) and its CloudEvents format
/// (`{specversion, type: "harbor.scan.completed", time, data}`). Each resource of the event is one scan.
public enum HarborDecoding {
    static let expected = "a Harbor webhook: Default {type, occur_at, event_data} or CloudEvents {specversion, type, data}"

    /// The scan events ScanRelay acts on, by their names in either format.
    enum EventType: String {
        case completed = "SCANNING_COMPLETED"
        case failed = "SCANNING_FAILED"
        case stopped = "SCANNING_STOPPED"

        init?(_ name: String) {
            switch name {
            case "SCANNING_COMPLETED", "harbor.scan.completed": self = .completed
            case "SCANNING_FAILED", "harbor.scan.failed": self = .failed
            case "SCANNING_STOPPED", "harbor.scan.stopped": self = .stopped
            default: return nil
            }
        }
    }

    static func decodeWebhook(body: [UInt8], source: String) throws(WebhookDecodeError) -> DecodedWebhook {
        let event = try WebhookDecoding.object(body, expected: expected)
        let isCloudEvent = event["specversion"] != nil
        guard let typeName = try WebhookDecoding.string(event["type"], at: "type"),
              let data = isCloudEvent ? event["data"] : event["event_data"]
        else { throw .malformed("expected \(expected)") }
        guard let type = EventType(typeName) else {
            return DecodedWebhook(events: [.ignored(reason: "\(typeName) events are not acted on")])
        }
        guard data.object != nil else { throw .malformed("\(isCloudEvent ? "data" : "event_data") must be an object") }
        guard let resources = data["resources"]?.array, !resources.isEmpty else {
            throw .malformed("\(isCloudEvent ? "data" : "event_data").resources must be a non-empty array")
        }

        // Harbor sends no delivery id (a CloudEvents `id` is new on every retry); type, time and digests identify
        // one event across its retries.
        let occurAt = event["occur_at"]?.integer
        let time: String? = isCloudEvent ? event["time"]?.string : occurAt.map { String($0) }
        let eventTime = isCloudEvent ? WebhookDecoding.time(event["time"])
            : occurAt.map { Date(timeIntervalSince1970: TimeInterval($0)) }
        let context = HarborReport.Context(
            type: type, repository: try repository(data["repository"]),
            scanType: data["scan"]?["scan_type"]?.string ?? "vulnerability", eventTime: eventTime, source: source)

        var events: [WebhookEvent] = []
        var digests: [String] = []
        for (index, resource) in resources.enumerated() {
            let report = try HarborReport(resource, path: "resources[\(index)]", context: context)
            digests.append(report.digest)
            // The body itself when it holds just this scan; else the resource's own JSON.
            events.append(report.event(raw: resources.count == 1 ? body : resource.serialized))
        }
        let key = time.map { ["harbor", type.rawValue, $0] + digests }?.joined(separator: ":")
        return DecodedWebhook(events: events, deliveryKey: key)
    }

    /// `repo_full_name` (`proj/node`), else `namespace/name`.
    private static func repository(_ repository: JSONValue?) throws(WebhookDecodeError) -> String {
        if let full = repository?["repo_full_name"]?.string { return full }
        if let namespace = repository?["namespace"]?.string, let name = repository?["name"]?.string {
            return namespace + "/" + name
        }
        throw .malformed("repository.repo_full_name is required to name the scanned image")
    }
}
