import DequeModule
import Foundation

/// Ended watches in the order they ended, so that when `maxWatches` are held the one that ended longest ago is
/// found in O(1) amortized instead of by a scan of every watch on each new one. Entries whose watch has aged out
/// since, or ended again, are skipped when reached and swept out once they outnumber the watches held.
struct EndedWatchQueue {
    private var entries = Deque<(id: String, endedAt: Date)>()

    /// Notes that watch `id` ended at `endedAt`. `heldWatches` bounds the stale entries kept before a sweep.
    mutating func append(_ id: String, endedAt: Date, heldWatches: Int, isCurrent: (String, Date) -> Bool) {
        entries.append((id, endedAt))
        if entries.count > 2 * heldWatches + 1024 {
            entries.removeAll { !isCurrent($0.id, $0.endedAt) }
        }
    }

    /// Removes and returns the id of the watch that ended longest ago among those `isCurrent` still confirms.
    mutating func popOldest(isCurrent: (String, Date) -> Bool) -> String? {
        while let entry = entries.popFirst() {
            if isCurrent(entry.id, entry.endedAt) { return entry.id }
        }
        return nil
    }
}
