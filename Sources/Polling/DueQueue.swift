import Foundation

/// A binary min-heap of due times: O(log n) insert and pop, O(1) earliest. The scheduler keeps one entry per
/// scheduled watch; entries are never removed from the middle — a rescheduled or cancelled watch leaves a stale
/// entry behind, recognised by its `generation` and dropped when it surfaces.
struct DueQueue {
    struct Entry: Comparable {
        var due: Date
        var watchID: String
        var generation: UInt64

        static func < (a: Entry, b: Entry) -> Bool { a.due < b.due }
        static func == (a: Entry, b: Entry) -> Bool { a.due == b.due && a.watchID == b.watchID && a.generation == b.generation }
    }

    private var heap: [Entry] = []

    var count: Int { heap.count }
    var earliest: Entry? { heap.first }

    mutating func insert(_ entry: Entry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child] < heap[parent] else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest entry if it is due at `now`.
    mutating func popDue(at now: Date) -> Entry? {
        guard let first = heap.first, first.due <= now else { return nil }
        let last = heap.removeLast()
        guard !heap.isEmpty else { return first }
        heap[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count, heap[left] < heap[smallest] { smallest = left }
            if right < heap.count, heap[right] < heap[smallest] { smallest = right }
            guard smallest != parent else { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
        return first
    }
}
