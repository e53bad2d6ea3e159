import Foundation

/// All cached scans ordered by ``ScanSortKey``, ascending (new scans mostly append), walked backwards for the
/// newest-first list. Binary search finds where a page starts.
///
/// Removal is lazy: an evicted record, or a record whose `createdAt` moved, leaves a stale entry that walks skip;
/// the array is compacted once stale entries outnumber live ones, so removal costs O(1) amortized.
struct ScanListOrder {
    struct Entry {
        let createdAt: Date
        let record: ScanRecord

        /// Allocates the id: for the few entries a page returns.
        var key: ScanSortKey { ScanSortKey(createdAt: createdAt, id: record.id) }
        /// The entry still stands for its record's current place.
        var isLive: Bool { record.packed?.createdAt == createdAt }

        /// Sorts before `key`; compares the id bytes in place.
        func isBelow(_ key: ScanSortKey) -> Bool {
            if createdAt != key.createdAt { return createdAt < key.createdAt }
            var id = key.id
            return record.withIdBytes { mine in id.withUTF8 { mine.lexicographicallyPrecedes($0) } }
        }
    }

    private(set) var entries: [Entry] = []
    private var staleCount = 0

    var liveCount: Int { entries.count - staleCount }

    /// Adds `record` at its current `createdAt`.
    mutating func insert(_ record: ScanRecord) {
        guard let createdAt = record.packed?.createdAt else { return }
        let entry = Entry(createdAt: createdAt, record: record)
        let index = firstIndex(notBelow: entry.key)
        if index < entries.count, entries[index].record === record, entries[index].createdAt == createdAt { return }
        entries.insert(entry, at: index)
    }

    /// Notes that one entry went stale (its record was evicted or moved).
    mutating func noteStale() {
        staleCount += 1
        if staleCount > entries.count / 2 {
            entries.removeAll { !$0.isLive }
            staleCount = 0
        }
    }

    /// The index of the first entry whose key is not below `key` (the insertion point).
    func firstIndex(notBelow key: ScanSortKey) -> Int {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].isBelow(key) { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
