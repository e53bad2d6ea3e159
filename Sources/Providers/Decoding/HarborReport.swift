import Foundation
import ScanCore

/// One scan of one Harbor artifact, as a webhook resource or the artifact API shows it: the artifact (digest, tag)
/// and one report summary — a vulnerability report (`scan_overview`, keyed by report MIME type) or an SBOM report
/// (`sbom_overview`, flat).
struct HarborReport {
    /// Harbor's two scan types; a scheduled scan's event names none and is a vulnerability scan.
    enum Kind: String {
        case vulnerability
        case sbom
    }

    struct Context {
        /// The webhook's event type; nil for a poll of the artifact API.
        let event: HarborDecoding.EventType?
        let repository: String
        /// When the event happened (webhooks only).
        let eventTime: Date?
        let source: String
        let via: ScanVia
    }

    /// Report MIME types, newest first: Harbor 2.x, then the adapter format older versions key reports by.
    static let reportTypes = [
        "application/vnd.security.vulnerability.report; version=1.1",
        "application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0",
    ]

    let digest: String
    let tag: String?
    let kind: Kind
    /// The report summary; nil when the resource carries none (a scheduled scan's event, an artifact never scanned).
    let report: [String: JSONValue]?
    let context: Context

    init(digest: String, tag: String?, kind: Kind, overviews resource: JSONValue, context: Context) {
        self.digest = digest
        self.tag = tag
        self.kind = kind
        switch kind {
        case .vulnerability: report = Self.report(in: resource["scan_overview"])
        case .sbom: report = resource["sbom_overview"]?.object.flatMap { $0.isEmpty ? nil : $0 }
        }
        self.context = context
    }

    /// The summary under a known report type; failing that, the only report there is (a type Harbor adds later).
    static func report(in overview: JSONValue?) -> [String: JSONValue]? {
        guard let reports = overview?.object else { return nil }
        for type in reportTypes { if let report = reports[type]?.object { return report } }
        let others = reports.values.compactMap(\.object)
        return others.count == 1 ? others[0] : nil
    }

    /// `<report_id>`, else `<digest>/<scan type>`. SBOM scans always take the latter: Harbor's SBOM webhooks carry no
    /// report id while its API does, and one SBOM scan must have one id whichever way it arrives.
    var upstreamId: String {
        if kind == .vulnerability, let reportId = report?["report_id"]?.string, !reportId.isEmpty { return reportId }
        return "\(digest)/\(kind.rawValue)"
    }

    func update(raw: [UInt8]) -> ScanUpdate {
        let scanStatus = report?["scan_status"]?.string.flatMap { $0.isEmpty ? nil : $0 }
        let status = Self.status(context.event, scanStatus: scanStatus)
        let endTime = WebhookDecoding.time(report?["end_time"])
        return ScanUpdate(
            source: context.source, provider: .harbor, upstreamId: upstreamId,
            subject: ScanSubject(imageId: "\(context.repository)@\(digest)", repository: context.repository,
                                 digest: digest, tag: tag),
            scanType: kind.rawValue,
            status: status, upstreamStatus: scanStatus ?? context.event?.rawValue,
            upstreamCreatedAt: WebhookDecoding.time(report?["start_time"]),
            upstreamUpdatedAt: endTime ?? context.eventTime,
            completedAt: status.isTerminal ? endTime ?? context.eventTime : nil,
            // An SBOM lists components, not vulnerabilities: it has no counts to give.
            findings: kind == .vulnerability && status == .completed ? Self.findings(report?["summary"]) : nil,
            via: context.via, raw: raw
        )
    }

    /// The event type decides failed and stopped; a completed event (and a poll) defers to the report's own
    /// `scan_status`, because Harbor sends SCANNING_COMPLETED while some reports still say `Running`.
    static func status(_ event: HarborDecoding.EventType?, scanStatus: String?) -> ScanStatus {
        switch event {
        case .failed?: return .failed
        case .stopped?: return .cancelled
        case .completed?, nil: break
        }
        switch scanStatus?.lowercased() {
        case nil: return event == nil ? .unknown : .completed
        case "success": return .completed
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
