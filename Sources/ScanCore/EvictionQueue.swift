import Foundation

/// Terminal records in the order they last changed — the order of `updatedAt` when the clock runs forward — so the
/// oldest terminal scan is found in O(1) amortized. A record is queued again each time it changes while terminal;
/// entries that no longer match their record (changed since, or evicted) are skipped when popped.
struct EvictionQueue {
    private struct Entry {
        let updatedAt: Date
        let record: ScanRecord

        var isLive: Bool {
            guard let packed = record.packed else { return false }
            return packed.status.isTerminal && packed.updatedAt == updatedAt
        }
    }

    private var entries: [Entry] = []
    private var head = 0

    /// Queues `record` if it is terminal. `liveRecords` bounds the stale entries kept before compaction.
    mutating func noteChange(_ record: ScanRecord, liveRecords: Int) {
        guard let packed = record.packed, packed.status.isTerminal else { return }
        entries.append(Entry(updatedAt: packed.updatedAt, record: record))
        if entries.count - head > 2 * liveRecords + 1024 {
            entries = entries[head...].filter(\.isLive)
            head = 0
        }
    }

    /// Removes and returns the terminal record that changed longest ago, or nil when no record is terminal.
    mutating func popOldest() -> ScanRecord? {
        defer { compactHead() }
        while head < entries.count {
            let entry = entries[head]
            head += 1
            if entry.isLive { return entry.record }
        }
        return nil
    }

    private mutating func compactHead() {
        if head > 1024, head > entries.count / 2 {
            entries.removeFirst(head)
            head = 0
        }
    }
}
