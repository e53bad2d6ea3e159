import ScanCore

/// Binarly's image findings report (`POST …/images/{imageId}/findingsReport:json`, API v4 spec): its
/// `findingsBySeverity {critical, high, medium, low, unspecified, total}` is the only place Binarly gives counts, so a
/// completed Binarly scan gets its findings from here. `unspecified` counts as unknown.
public enum BinarlyFindingsReport {
    public static func findings(fromReport body: [UInt8]) throws(WebhookDecodeError) -> Findings {
        let report = try WebhookDecoding.object(body, expected: "a findings report with findingsBySeverity")
        guard let counts = report["findingsBySeverity"], counts.object != nil else {
            throw .malformed("findingsBySeverity must be an object of counts")
        }
        func count(_ key: String) throws(WebhookDecodeError) -> Int? {
            guard let value = counts[key], value != .null else { return nil }
            guard let count = value.count else { throw .malformed("findingsBySeverity.\(key) must be a count") }
            return count
        }
        return Findings(
            critical: try count("critical") ?? 0, high: try count("high") ?? 0, medium: try count("medium") ?? 0,
            low: try count("low") ?? 0, unknown: try count("unspecified") ?? 0, total: try count("total"))
    }
}
