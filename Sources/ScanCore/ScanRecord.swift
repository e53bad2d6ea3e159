import Foundation

/// The store's box for one cached scan. The list order, the image index and the eviction queue hold the box, not
/// the id, so walking them needs no hashing. An evicted box keeps only its id (stale list entries still sort by it)
/// and is skipped. Only touched under the store's lock.
final class ScanRecord {
    private var storage: PackedScan
    private(set) var isEvicted = false

    init(_ packed: PackedScan) {
        storage = packed
    }

    /// The cached scan; nil once evicted.
    var packed: PackedScan? { isEvicted ? nil : storage }

    /// The id, as a new string.
    var id: String { storage.id }

    func update(_ packed: PackedScan) {
        storage = packed
    }

    func evict() {
        storage = storage.tombstone()
        isEvicted = true
    }

    func withIdBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        storage.withIdBytes(body)
    }
}

/// A member of the store's set of records, hashed and compared by id bytes: the id lives once, in the packed
/// buffer, rather than again as a dictionary key. A probe made from an id string finds the record.
struct RecordKey: Hashable {
    private enum Storage {
        case record(ScanRecord)
        case probe(String)
    }

    private let storage: Storage

    init(_ record: ScanRecord) { storage = .record(record) }

    init(probe id: String) { storage = .probe(id) }

    var record: ScanRecord? {
        if case .record(let record) = storage { return record }
        return nil
    }

    private func withIdBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        switch storage {
        case .record(let record): return record.withIdBytes(body)
        case .probe(var id): return id.withUTF8 { body(UnsafeRawBufferPointer($0)) }
        }
    }

    static func == (a: RecordKey, b: RecordKey) -> Bool {
        a.withIdBytes { x in b.withIdBytes { y in x.elementsEqual(y) } }
    }

    func hash(into hasher: inout Hasher) {
        withIdBytes { hasher.combine(bytes: $0) }
    }
}

/// Where a scan sits in the list order: `createdAt` descending, then `id` (its UTF-8 bytes) descending. Page tokens
/// carry one.
struct ScanSortKey: Comparable {
    let createdAt: Date
    let id: String

    static func < (a: ScanSortKey, b: ScanSortKey) -> Bool {
        a.createdAt != b.createdAt ? a.createdAt < b.createdAt : a.id.utf8.lexicographicallyPrecedes(b.id.utf8)
    }

    static func == (a: ScanSortKey, b: ScanSortKey) -> Bool {
        a.createdAt == b.createdAt && a.id.utf8.elementsEqual(b.id.utf8)
    }
}
