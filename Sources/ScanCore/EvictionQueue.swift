import DequeModule
import Foundation

/// The records of one kind — terminal, or still in progress — in the order they last changed, which is the order of
/// `updatedAt` when the clock runs forward, so the one unchanged longest is found in O(1) amortized. A record is
/// queued again each time it changes while of this kind; entries that no longer match their record (changed since,
/// turned the other kind, or evicted) are skipped when reached.
struct EvictionQueue {
    enum Kind {
        case terminal
        case inProgress

        func holds(_ status: ScanStatus) -> Bool { status.isTerminal == (self == .terminal) }
    }

    private struct Entry {
        let updatedAt: Date
        let record: ScanRecord

        func isLive(in kind: Kind) -> Bool {
            guard let packed = record.packed else { return false }
            return kind.holds(packed.status) && packed.updatedAt == updatedAt
        }
    }

    let kind: Kind
    private var entries = Deque<Entry>()

    init(_ kind: Kind) {
        self.kind = kind
    }

    /// Queues `record` if it is of this queue's kind. `liveRecords` bounds the stale entries kept before a sweep.
    mutating func noteChange(_ record: ScanRecord, liveRecords: Int) {
        guard let packed = record.packed, kind.holds(packed.status) else { return }
        entries.append(Entry(updatedAt: packed.updatedAt, record: record))
        if entries.count > 2 * liveRecords + 1024 {
            let kind = kind
            entries.removeAll { !$0.isLive(in: kind) }
        }
    }

    /// Removes and returns the record of this kind that changed longest ago, provided it last changed at or before
    /// `cutoff`; nil when there is none or it changed later (it then stays queued).
    mutating func popOldest(changedAtOrBefore cutoff: Date = .distantFuture) -> ScanRecord? {
        guard hasOldest(changedAtOrBefore: cutoff) else { return nil }
        return entries.removeFirst().record
    }

    /// Whether `popOldest(changedAtOrBefore:)` would return a record (dead entries at the head are dropped on the way).
    mutating func hasOldest(changedAtOrBefore cutoff: Date = .distantFuture) -> Bool {
        while let first = entries.first, !first.isLive(in: kind) { entries.removeFirst() }
        return entries.first.map { $0.updatedAt <= cutoff } ?? false
    }
}
