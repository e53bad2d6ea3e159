import Foundation

/// Ended watches in the order they ended, so that when `maxWatches` are held the one that ended longest ago is
/// found in O(1) amortized instead of by a scan of every watch on each new one. Entries whose watch has aged out
/// since, or ended again, are skipped when reached and compacted away once they outnumber the watches held.
struct EndedWatchQueue {
    private var entries: [(id: String, endedAt: Date)] = []
    private var head = 0

    /// Notes that watch `id` ended at `endedAt`. `heldWatches` bounds the stale entries kept before compaction.
    mutating func append(_ id: String, endedAt: Date, heldWatches: Int, isCurrent: (String, Date) -> Bool) {
        entries.append((id, endedAt))
        if entries.count - head > 2 * heldWatches + 1024 {
            entries = entries[head...].filter { isCurrent($0.id, $0.endedAt) }
            head = 0
        }
    }

    /// Removes and returns the id of the watch that ended longest ago among those `isCurrent` still confirms.
    mutating func popOldest(isCurrent: (String, Date) -> Bool) -> String? {
        defer {
            if head > 1024, head > entries.count / 2 {
                entries.removeFirst(head)
                head = 0
            }
        }
        while head < entries.count {
            let entry = entries[head]
            head += 1
            if isCurrent(entry.id, entry.endedAt) { return entry.id }
        }
        return nil
    }
}
