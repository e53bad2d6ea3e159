import Foundation

/// All cached scans ordered by ``ScanSortKey``, ascending, walked backwards for the newest-first list.
///
/// Kept as a list of sorted chunks of at most `maxChunk` entries rather than one sorted array: a scan whose
/// `createdAt` falls among older ones (a backfill, a source whose clock lags, scans created in the same second) is
/// inserted into one chunk, moving at most a chunk's entries instead of half the cache — at a million scans that is
/// 8 KiB instead of 8 MiB copied under the store's lock per insert. Binary search over the chunks' last keys, then
/// within a chunk, finds where a page starts.
///
/// Removal is lazy: an evicted record, or a record whose `createdAt` moved, leaves a stale entry that walks skip;
/// the chunks are compacted once stale entries outnumber live ones, so removal costs O(1) amortized.
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

    /// Entries a chunk holds at most; a fuller one splits in two.
    static let maxChunk = 512

    /// Non-empty, each sorted, each one's entries all below the next one's.
    private var chunks: [[Entry]] = []
    private(set) var count = 0
    private var staleCount = 0

    var liveCount: Int { count - staleCount }

    /// Adds `record` at its current `createdAt`.
    mutating func insert(_ record: ScanRecord) {
        guard let createdAt = record.packed?.createdAt else { return }
        let entry = Entry(createdAt: createdAt, record: record)
        guard !chunks.isEmpty else {
            chunks = [[entry]]
            count = 1
            return
        }
        let key = entry.key
        // The first chunk whose last entry is not below the key, or the last chunk when every entry is below it.
        let chunk = min(firstChunk(notEndingBelow: key), chunks.count - 1)
        let index = Self.firstIndex(in: chunks[chunk], notBelow: key)
        if index < chunks[chunk].count, chunks[chunk][index].record === record, chunks[chunk][index].createdAt == createdAt {
            return
        }
        chunks[chunk].insert(entry, at: index)
        count += 1
        if chunks[chunk].count > Self.maxChunk {
            let upper = Array(chunks[chunk][(Self.maxChunk / 2)...])
            chunks[chunk].removeSubrange((Self.maxChunk / 2)...)
            chunks.insert(upper, at: chunk + 1)
        }
    }

    /// Notes that one entry went stale (its record was evicted or moved).
    mutating func noteStale() {
        staleCount += 1
        guard staleCount > count / 2 else { return }
        // Re-chunked while compacting, so chunks emptied by evictions do not linger as slivers.
        var live: [Entry] = []
        live.reserveCapacity(count - staleCount + 1)
        for chunk in chunks { live += chunk.lazy.filter(\.isLive) }
        chunks = stride(from: 0, to: live.count, by: Self.maxChunk / 2).map {
            Array(live[$0..<min($0 + Self.maxChunk / 2, live.count)])
        }
        count = live.count
        staleCount = 0
    }

    /// Visits entries from the greatest one below `key` (from the very last when `key` is nil) downwards, stale ones
    /// included, until `body` returns false.
    func walkDown(below key: ScanSortKey?, _ body: (Entry) -> Bool) {
        guard !chunks.isEmpty else { return }
        var chunk: Int
        var index: Int
        if let key, case let found = firstChunk(notEndingBelow: key), found < chunks.count {
            chunk = found
            index = Self.firstIndex(in: chunks[chunk], notBelow: key) - 1  // -1: the walk goes on in the chunk before
        } else {
            chunk = chunks.count - 1
            index = chunks[chunk].count - 1
        }
        while chunk >= 0 {
            let entries = chunks[chunk]
            while index >= 0 {
                guard body(entries[index]) else { return }
                index -= 1
            }
            chunk -= 1
            if chunk >= 0 { index = chunks[chunk].count - 1 }
        }
    }

    /// The index of the first chunk whose last entry is not below `key`; `chunks.count` when there is none.
    private func firstChunk(notEndingBelow key: ScanSortKey) -> Int {
        var low = 0
        var high = chunks.count
        while low < high {
            let middle = (low + high) / 2
            if chunks[middle][chunks[middle].count - 1].isBelow(key) { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The index of the first entry of `entries` whose key is not below `key` (the insertion point).
    private static func firstIndex(in entries: [Entry], notBelow key: ScanSortKey) -> Int {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].isBelow(key) { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
