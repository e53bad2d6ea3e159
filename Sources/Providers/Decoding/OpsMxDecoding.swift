import Foundation
import ScanCore

/// OpsMx SSD scan file data (`GET .../ssdservice/v1/scan/filedata`): an array of results, one per scan tool.
///
/// The scan is `<projectId>/<type>/<scanId>`; OpsMx has no image id, so the subject's `imageId` is the project
/// (`projectId` is filled as well). Only `"Completed"` is documented; other statuses keep the scan running unless
/// they say it failed.
public enum OpsMxDecoding {
    static let expected = "{projectId, scanId, type, results: [filedata...]}, or a hint {projectId, scanId, type}"

    public static func upstreamId(projectId: String, type: String, scanId: String) -> String {
        "\(projectId)/\(type)/\(scanId)"
    }

    /// Every result `Completed` (any case) → completed; a result whose status mentions fail or error, or whose
    /// `error` is not empty → failed; otherwise (including no results yet) → running.
    public static func status(_ results: [JSONValue]) -> ScanStatus {
        let statuses = results.map { $0["status"]?.string?.lowercased() ?? "" }
        let failed = zip(results, statuses).contains { result, status in
            status.contains("fail") || status.contains("error") || result["error"]?.string != nil
        }
        if failed { return .failed }
        if !statuses.isEmpty, statuses.allSatisfy({ $0 == "completed" }) { return .completed }
        return .running
    }

    /// The filedata array as the upstream answers it, for the scan the poller asked about.
    public static func scanUpdate(
        fromFiledata body: [UInt8], projectId: String, type: String, scanId: String, source: String, via: ScanVia
    ) throws(WebhookDecodeError) -> ScanUpdate {
        guard let results = JSONValue.parse(body)?.array else {
            throw .malformed("expected the OpsMx filedata array [{scanName, scanTool, status, ...}]")
        }
        return try update(results, projectId: projectId, type: type, scanId: scanId, raw: body, source: source, via: via)
    }

    static func decodeWebhook(body: [UInt8], source: String) throws(WebhookDecodeError) -> DecodedWebhook {
        var object = try WebhookDecoding.object(body, expected: expected)
        let results = object.removeValue(forKey: "results")
        // The ids are exactly a watch ref's, whether they come with results or alone as a hint.
        let ref = try WebhookDecoding.hint(object, provider: .opsmx)
        guard let results else { return DecodedWebhook(events: [.hint(ref)]) }
        guard let list = results.array, case .opsmx(let projectId, let scanId, let type) = ref else {
            throw .malformed("results must be the filedata array")
        }
        let scan = try update(list, projectId: projectId, type: type, scanId: scanId, raw: body, source: source, via: .webhook)
        return DecodedWebhook(events: [.scan(scan)])
    }

    private static func update(
        _ results: [JSONValue], projectId: String, type: String, scanId: String, raw: [UInt8], source: String,
        via: ScanVia
    ) throws(WebhookDecodeError) -> ScanUpdate {
        for (index, result) in results.enumerated() where result.object == nil {
            throw .malformed("results[\(index)] must be an object")
        }
        let statuses = results.compactMap { $0["status"]?.string }
        return ScanUpdate(
            source: source, provider: .opsmx,
            upstreamId: upstreamId(projectId: projectId, type: type, scanId: scanId),
            subject: ScanSubject(imageId: projectId, projectId: projectId),
            status: status(results),
            upstreamStatus: statuses.isEmpty ? nil : distinct(statuses).joined(separator: ","),
            // The score of the scan is its first tool's (`metadata.score`): a query names one scan type, and
            // averaging scores of different tools would be a number no tool reported.
            score: results.lazy.compactMap { $0["metadata"]?["score"]?.number }.first,
            checks: results.flatMap(checks),
            via: via, raw: raw
        )
    }

    /// One check per `data[]` entry that has a name (`data` differs per scan tool; the raw JSON keeps the rest).
    private static func checks(_ result: JSONValue) -> [ScanCheck] {
        (result["data"]?.array ?? []).compactMap { entry in
            guard let name = entry["name"]?.string else { return nil }
            return ScanCheck(
                name: name, score: entry["score"]?.number, reason: entry["reason"]?.string,
                url: entry["metadata"]?["url"]?.string)
        }
    }

    private static func distinct(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }
}
