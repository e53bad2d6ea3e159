import Foundation
import ScanCore

/// One resource of a Harbor scan event: an artifact (digest, tag) and its scan report summary.
struct HarborReport {
    struct Context {
        let type: HarborDecoding.EventType
        let repository: String
        let scanType: String
        let eventTime: Date?
        let source: String
    }

    /// Report MIME types, newest first: Harbor 2.x, then the adapter format older versions key reports by.
    static let reportTypes = [
        "application/vnd.security.vulnerability.report; version=1.1",
        "application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0",
    ]

    let digest: String
    let tag: String?
    let report: [String: JSONValue]?
    let context: Context

    init(_ resource: JSONValue, path: String, context: Context) throws(WebhookDecodeError) {
        digest = try WebhookDecoding.requiredString(resource["digest"], at: path + ".digest")
        tag = resource["tag"]?.string
        report = Self.report(in: resource["scan_overview"])
        self.context = context
    }

    /// The summary under a known report type; failing that, the only report there is (a type Harbor adds later).
    static func report(in overview: JSONValue?) -> [String: JSONValue]? {
        guard let reports = overview?.object else { return nil }
        for type in reportTypes { if let report = reports[type]?.object { return report } }
        let others = reports.values.compactMap(\.object)
        return others.count == 1 ? others[0] : nil
    }

    /// A scheduled scan may send a completed event with no report at all: there is nothing to record (counts of
    /// zero would let a CI gate pass a scan nobody has seen). Failed and stopped events speak for themselves.
    func event(raw: [UInt8]) -> WebhookEvent {
        if report == nil, context.type == .completed {
            return .ignored(reason: "SCANNING_COMPLETED without a scan report for \(digest)")
        }
        return .scan(update(raw: raw))
    }

    func update(raw: [UInt8]) -> ScanUpdate {
        let scanStatus = report?["scan_status"]?.string
        let status = Self.status(context.type, scanStatus: scanStatus)
        let endTime = WebhookDecoding.time(report?["end_time"])
        return ScanUpdate(
            source: context.source, provider: .harbor,
            upstreamId: report?["report_id"]?.string ?? "\(digest)/\(context.scanType)",
            subject: ScanSubject(imageId: "\(context.repository)@\(digest)", repository: context.repository,
                                 digest: digest, tag: tag),
            status: status, upstreamStatus: scanStatus ?? context.type.rawValue,
            upstreamCreatedAt: WebhookDecoding.time(report?["start_time"]),
            upstreamUpdatedAt: endTime ?? context.eventTime,
            completedAt: status.isTerminal ? endTime ?? context.eventTime : nil,
            findings: Self.findings(report?["summary"]),
            via: .webhook, raw: raw
        )
    }

    /// The event type decides failed and stopped; a completed event defers to the report's own `scan_status`,
    /// because Harbor sends SCANNING_COMPLETED while some reports still say `Running`.
    static func status(_ type: HarborDecoding.EventType, scanStatus: String?) -> ScanStatus {
        switch type {
        case .failed: return .failed
        case .stopped: return .cancelled
        case .completed: break
        }
        switch scanStatus?.lowercased() {
        case nil, "success": return .completed
        case "running", "pending", "scheduled": return .running
        case "error": return .failed
        case "stopped": return .cancelled
        default: return .unknown
        }
    }

    /// `summary: {total, fixable, summary: {High: 3, ...}}`. Severity names in any case; `None`, `Unknown`
    /// and names Harbor may add count as unknown.
    static func findings(_ summary: JSONValue?) -> Findings? {
        guard let summary, summary.object != nil else { return nil }
        var findings = Findings()
        for (severity, value) in summary["summary"]?.object ?? [:] {
            let count = value.count ?? 0
            switch severity.lowercased() {
            case "critical": findings.critical += count
            case "high": findings.high += count
            case "medium": findings.medium += count
            case "low": findings.low += count
            case "negligible": findings.negligible += count
            default: findings.unknown += count
            }
        }
        let sum = findings.critical + findings.high + findings.medium + findings.low + findings.negligible + findings.unknown
        findings.total = summary["total"]?.count ?? sum
        return findings
    }
}
