import Foundation

/// The rule for merging updates of one scan (`openapi.yaml`, `Scan.revision`; README, "Merging").
///
/// - The record shows the reported state (status, upstream status and times, findings, score, checks, via, raw) of
///   the update with the highest precedence seen: a terminal state beats a non-terminal one; then the newer
///   upstream time wins; then a poll beats a webhook; then a fixed tie-break (``ReportedState``). A stale update
///   therefore never overwrites a newer one, and after a re-fetch `via` is `poll`.
/// - The subject is the winner's, with fields it does not know filled from the others (a digest is not lost
///   because a newer update omitted it).
/// - `createdAt` is the earliest upstream creation time reported, else the time ScanRelay first saw the scan; it only
///   ever moves earlier, and only when an upstream time first becomes known, so the list order stays stable.
/// - An update that changes nothing returns nil: the revision stays and no event is emitted. Otherwise `revision`
///   grows by one and `updatedAt` is `now`.
///
/// Applying any set of updates in any order gives the same record, except for `updatedAt` and `revision` (which
/// count and time the changes as they happened) and, when no update carries an upstream creation time, `createdAt`
/// (the first-seen time). Subject fields are exactly order-independent when updates agree on the values they know,
/// as updates of one scan do; for two updates that disagree the winner's value holds in either order.
public enum ScanMerge {
    /// The record created by the first update of a scan, revision 1.
    public static func makeScan(_ update: ScanUpdate, now: Date) -> Scan {
        var scan = Scan(
            source: update.source, provider: update.provider, upstreamId: update.upstreamId, subject: update.subject,
            scanType: update.scanType, status: update.status, createdAt: update.upstreamCreatedAt ?? now, updatedAt: now, via: update.via
        )
        ReportedState(update).apply(to: &scan)
        scan.createdAtIsUpstream = update.upstreamCreatedAt != nil
        return scan
    }

    /// The record after `update`, or nil when the update changes nothing.
    public static func merge(_ update: ScanUpdate, into current: Scan, now: Date) -> Scan? {
        var next = current
        let incoming = ReportedState(update)
        if ReportedState.precedence(incoming, ReportedState(current)) > 0 {
            incoming.apply(to: &next)
        } else {
            next.subject = current.subject.filling(from: update.subject)
        }
        // A scan's kind is part of what it is: the first update's stays (one that had none takes the first given).
        if next.scanType == nil { next.scanType = update.scanType }
        if let created = update.upstreamCreatedAt, !current.createdAtIsUpstream || created < current.createdAt {
            next.createdAt = created
            next.createdAtIsUpstream = true
        }
        // Equality ignores `createdAtIsUpstream`: should an upstream creation time equal the first-seen time to the
        // bit, nothing visible changes and the record keeps its first-seen flag, which is harmless.
        guard next != current else { return nil }
        next.revision = current.revision + 1
        next.updatedAt = now
        return next
    }
}
