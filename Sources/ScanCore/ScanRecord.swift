import Foundation

/// The store's box for one cached scan. The list order, the image index and the eviction queue hold the box, not
/// the id, so walking them needs no hashing; a box whose `packed` is nil has been evicted and is skipped.
/// Only touched under the store's lock.
final class ScanRecord {
    let id: String
    var packed: PackedScan?

    init(id: String, packed: PackedScan) {
        self.id = id
        self.packed = packed
    }
}

/// Where a scan sits in the list order: `createdAt` descending, then `id` descending. Page tokens carry one.
struct ScanSortKey: Comparable {
    let createdAt: Date
    let id: String

    static func < (a: ScanSortKey, b: ScanSortKey) -> Bool {
        a.createdAt != b.createdAt ? a.createdAt < b.createdAt : a.id < b.id
    }
}
