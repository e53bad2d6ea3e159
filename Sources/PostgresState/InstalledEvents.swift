import Locking

/// The ids of events whose scans this replica put into its cache itself, when its own write committed: the feed
/// reads those events back like any other (for the ring and SSE), but need not decode their scan again to find the
/// cache already holding that revision. A JSON decode per write saved on the writing replica.
///
/// Ids stay only until the feed passes them: each page it delivers forgets every id up to its last, so an id noted
/// after the feed had already read its event does not linger past the next page.
final class InstalledEvents: Sendable {
    private let ids = Locked<Set<UInt64>>([])

    /// Notes events whose scans are installed already.
    func note(_ events: some Sequence<UInt64>) {
        ids.withLock { $0.formUnion(events) }
    }

    /// Of the events of one delivered page (consecutive ids, ascending), those noted; every noted id up to the page's
    /// last is forgotten.
    func take(page: [UInt64]) -> Set<UInt64> {
        guard let first = page.first, let last = page.last else { return [] }
        return ids.withLock { ids in
            guard !ids.isEmpty else { return [] }
            let passed = ids.filter { $0 <= last }
            ids.subtract(passed)
            return passed.filter { $0 >= first }
        }
    }

    var count: Int { ids.withLock { $0.count } }
}
