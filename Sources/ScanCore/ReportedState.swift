import Foundation

/// The part of a scan an upstream reports in one observation, with the precedence order that decides which of two
/// observations a record shows. The merge takes all of it from the winner, so the order must be total: two different
/// states never tie, which is what makes the merge independent of arrival order.
struct ReportedState: Equatable {
    var status: ScanStatus
    var upstreamStatus: String?
    var upstreamUpdatedAt: Date?
    var completedAt: Date?
    var findings: Findings?
    var score: Double?
    var checks: [ScanCheck]
    var via: ScanVia
    var raw: [UInt8]
    var subject: ScanSubject

    init(_ update: ScanUpdate) {
        status = update.status
        upstreamStatus = update.upstreamStatus
        upstreamUpdatedAt = update.upstreamUpdatedAt
        completedAt = update.completedAt
        findings = update.findings
        // NaN would never compare equal to itself, so every re-delivery would look like a change.
        score = update.score.flatMap { $0.isFinite ? $0 : nil }
        checks = update.checks
        via = update.via
        raw = update.raw
        subject = update.subject
    }

    init(_ scan: Scan) {
        status = scan.status
        upstreamStatus = scan.upstreamStatus
        upstreamUpdatedAt = scan.upstreamUpdatedAt
        completedAt = scan.completedAt
        findings = scan.findings
        score = scan.score
        checks = scan.checks
        via = scan.via
        raw = scan.raw
        subject = scan.subject
    }

    /// Writes the winner's fields into `scan`; the subject keeps what only the loser knew.
    func apply(to scan: inout Scan) {
        scan.status = status
        scan.upstreamStatus = upstreamStatus
        scan.upstreamUpdatedAt = upstreamUpdatedAt
        scan.completedAt = completedAt
        scan.findings = findings
        scan.score = score
        scan.checks = checks
        scan.via = via
        scan.raw = raw
        scan.subject = subject.filling(from: scan.subject)
    }

    /// -1, 0 or 1 as `a` loses to, equals or beats `b`. The contract fixes the first three keys: a terminal state,
    /// then the newer upstream time (a missing time is the oldest), then a poll over a webhook. The rest only breaks
    /// ties deterministically, preferring progress (status rank, then findings over none).
    static func precedence(_ a: ReportedState, _ b: ReportedState) -> Int {
        var order = compare(a.status.isTerminal, b.status.isTerminal)
        if order == 0 { order = compare(a.upstreamUpdatedAt, b.upstreamUpdatedAt) }
        if order == 0 { order = compare(a.via.mergeRank, b.via.mergeRank) }
        if order == 0 { order = compare(a.status.mergeRank, b.status.mergeRank) }
        if order == 0 { order = compare(a.findings.map(\.counts), b.findings.map(\.counts)) }
        if order == 0 { order = compare(a.score, b.score) }
        if order == 0 { order = compare(a.upstreamStatus, b.upstreamStatus) }
        if order == 0 { order = compare(a.completedAt, b.completedAt) }
        if order == 0 { order = compare(a.checks, b.checks) }
        if order == 0 { order = compare(a.raw, b.raw) }
        if order == 0 { order = compare(a.subject, b.subject) }
        return order
    }

    private static func compare<T: Comparable>(_ a: T, _ b: T) -> Int {
        a < b ? -1 : (a == b ? 0 : 1)
    }

    private static func compare(_ a: Bool, _ b: Bool) -> Int {
        compare(a ? 1 : 0, b ? 1 : 0)
    }

    /// Absent sorts first.
    private static func compare<T: Comparable>(_ a: T?, _ b: T?) -> Int {
        switch (a, b) {
        case (nil, nil): 0
        case (nil, _): -1
        case (_, nil): 1
        case let (a?, b?): compare(a, b)
        }
    }

    private static func compare<T: Comparable>(_ a: [T]?, _ b: [T]?) -> Int {
        switch (a, b) {
        case (nil, nil): 0
        case (nil, _): -1
        case (_, nil): 1
        case let (a?, b?): compare(a, b)
        }
    }

    /// Lexicographic; a prefix sorts first.
    private static func compare<T: Comparable>(_ a: [T], _ b: [T]) -> Int {
        for (x, y) in zip(a, b) where x != y { return x < y ? -1 : 1 }
        return compare(a.count, b.count)
    }

    private static func compare(_ a: [ScanCheck], _ b: [ScanCheck]) -> Int {
        for (x, y) in zip(a, b) where x != y {
            var order = compare(x.name, y.name)
            if order == 0 { order = compare(x.score, y.score) }
            if order == 0 { order = compare(x.reason, y.reason) }
            if order == 0 { order = compare(x.url, y.url) }
            if order != 0 { return order }
        }
        return compare(a.count, b.count)
    }

    private static func compare(_ a: ScanSubject, _ b: ScanSubject) -> Int {
        var order = compare(a.imageId, b.imageId)
        if order == 0 { order = compare(a.productId, b.productId) }
        if order == 0 { order = compare(a.repository, b.repository) }
        if order == 0 { order = compare(a.digest, b.digest) }
        if order == 0 { order = compare(a.tag, b.tag) }
        if order == 0 { order = compare(a.projectId, b.projectId) }
        if order == 0 { order = compare(a.imageSizeBytes, b.imageSizeBytes) }
        return order
    }
}
