import Foundation
import ScanCore

/// Harbor scan webhooks, in its Default format (`{type, occur_at, event_data}`) and its CloudEvents format
/// (`{specversion, id, type: "harbor.scan.completed", time, data}`). Each resource of the event is one scan of one
/// artifact: a vulnerability scan (`scan_overview`) or an SBOM scan (`sbom_overview`).
///
/// An event is a scan update where it carries a usable report. One without (a scheduled "scan all" run sends
/// `"scan": {}` and no `scan_overview`) is a hint: the artifact is re-read through the API, which needs a source with
/// an `upstream`. Whether an event with a report is also re-read is the receiving source's decision.
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
        let dataKey = isCloudEvent ? "data" : "event_data"
        guard let typeName = try WebhookDecoding.string(event["type"], at: "type"), let data = event[dataKey]
        else { throw .malformed("expected \(expected)") }
        guard let type = EventType(typeName) else {
            return DecodedWebhook(events: [.ignored(reason: "\(typeName) events are not acted on")])
        }
        guard data.object != nil else { throw .malformed("\(dataKey) must be an object") }
        guard let resources = data["resources"]?.array, !resources.isEmpty else {
            throw .malformed("\(dataKey).resources must be a non-empty array")
        }
        let repository = try repository(data["repository"], at: dataKey + ".repository")
        // `scan.scan_type` is `vulnerability` or `sbom`; a scheduled scan's `"scan": {}` names none and scans
        // vulnerabilities. A type Harbor may add later is not taken for either.
        let scanTypeName = try WebhookDecoding.string(data["scan"]?["scan_type"], at: dataKey + ".scan.scan_type")
        guard let kind = scanTypeName.map(HarborReport.Kind.init(rawValue:)) ?? .vulnerability else {
            return DecodedWebhook(events: [.ignored(reason: "scan type \(scanTypeName ?? "") is not acted on")])
        }

        let occurAt = event["occur_at"]?.integer
        let time: String? = isCloudEvent ? try WebhookDecoding.string(event["time"], at: "time") : occurAt.map { String($0) }
        let eventTime = isCloudEvent ? WebhookDecoding.time(event["time"])
            : occurAt.map { Date(timeIntervalSince1970: TimeInterval($0)) }
        let context = HarborReport.Context(
            event: type, repository: repository, eventTime: eventTime, source: source, via: .webhook)

        var events: [WebhookEvent] = []
        var reports: [HarborReport] = []
        for (index, resource) in resources.enumerated() {
            let path = "\(dataKey).resources[\(index)]"
            let digest = try WebhookDecoding.checkedId(
                WebhookDecoding.requiredString(resource["digest"], at: path + ".digest"), at: path + ".digest")
            let report = HarborReport(
                digest: digest, tag: try WebhookDecoding.string(resource["tag"], at: path + ".tag"), kind: kind,
                overviews: resource, context: context)
            reports.append(report)
            events.append(try webhookEvent(for: report, type: type,
                                    raw: resources.count == 1 ? body : resource.serialized, path: path))
        }
        return DecodedWebhook(events: events, deliveryKey: deliveryKey(event, isCloudEvent: isCloudEvent, type: type,
                                                                       time: time, kind: kind, reports: reports))
    }

    /// A report is a scan update (the body itself as raw when it holds just this scan). A completed event without
    /// one — a scheduled scan's — is a hint to read the artifact: counts of zero would let a CI gate pass a scan
    /// nobody has seen. Failed and stopped events speak for themselves.
    private static func webhookEvent(for report: HarborReport, type: EventType, raw: [UInt8], path: String)
        throws(WebhookDecodeError) -> WebhookEvent
    {
        if report.report == nil, type == .completed {
            do {
                return .hint(try ScanRef(provider: .harbor, fields: [
                    "repository": report.context.repository, "reference": report.digest,
                ]))
            } catch {
                throw .malformed("\(path): \(error.description)")
            }
        }
        return .scan(report.update(raw: raw))
    }

    /// Harbor sends no delivery id. It formats a body once and resends the same bytes on each retry, so a
    /// CloudEvents `id` (unique per event and policy, and stable across retries) is the key where there is one.
    /// A Default-format event has none: the key is then everything that tells two events apart — type, time, and
    /// for each resource its digest, scan type and report id — so a vulnerability and an SBOM event of one digest in
    /// the same second are two deliveries.
    private static func deliveryKey(
        _ event: [String: JSONValue], isCloudEvent: Bool, type: EventType, time: String?, kind: HarborReport.Kind,
        reports: [HarborReport]
    ) -> String? {
        if isCloudEvent, let id = event["id"]?.string, !id.isEmpty {
            return ["harbor", "ce", event["source"]?.string ?? "", id].joined(separator: ":")
        }
        guard let time else { return nil }
        let resources = reports.map { report in
            [report.digest, kind.rawValue, report.report?["report_id"]?.string ?? "-",
             report.report?["scan_status"]?.string ?? "-"].joined(separator: ",")
        }
        return (["harbor", type.rawValue, time] + resources).joined(separator: ":")
    }

    /// `repo_full_name` (`proj/node`), else `namespace/name`; an id that may later travel into an API path.
    private static func repository(_ repository: JSONValue?, at path: String) throws(WebhookDecodeError) -> String {
        let name: String
        if let full = repository?["repo_full_name"]?.string, !full.isEmpty {
            name = full
        } else if let namespace = repository?["namespace"]?.string, let short = repository?["name"]?.string {
            name = namespace + "/" + short
        } else {
            throw .malformed("\(path).repo_full_name is required to name the scanned image")
        }
        do {
            _ = try ScanRef(provider: .harbor, fields: ["repository": name, "reference": "latest"])
        } catch {
            throw .malformed("\(path).repo_full_name: \(error.problem)")
        }
        return name
    }
}
