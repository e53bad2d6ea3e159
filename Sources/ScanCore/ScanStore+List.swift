extension ScanStore {
    /// One page of the scans matching `query`, newest `createdAt` first (ties: id descending).
    ///
    /// With an `imageId` filter the image index is used; otherwise the walk goes down the list order from the page
    /// start, so its cost is the number of entries passed over — a page for unfiltered queries, more for selective
    /// filters over a large cache (filters compare packed bytes and allocate nothing).
    public func list(_ query: ScanQuery) throws(ScanQuery.InvalidPageToken) -> ScanPage {
        var after: ScanSortKey?
        if let token = query.pageToken {
            guard let key = PageToken.decode(token) else { throw ScanQuery.InvalidPageToken() }
            after = key
        }
        let limit = max(1, query.limit)
        // One more than the page tells whether another page follows.
        let found = state.withLock { state -> [(key: ScanSortKey, packed: PackedScan)] in
            var found: [(key: ScanSortKey, packed: PackedScan)] = []
            if let imageId = query.imageId {
                for record in (state.byImage[imageId] ?? []).sortedNewestFirst() where found.count <= limit {
                    guard let packed = record.packed, packed.matches(query) else { continue }
                    let key = ScanSortKey(createdAt: packed.createdAt, id: record.id)
                    if let after, !(key < after) { continue }
                    found.append((key, packed))
                }
                return found
            }
            let entries = state.order.entries
            var index = (after.map(state.order.firstIndex(notBelow:)) ?? entries.count) - 1
            while index >= 0, found.count <= limit {
                let entry = entries[index]
                index -= 1
                guard entry.isLive, let packed = entry.record.packed, packed.matches(query) else { continue }
                found.append((entry.key, packed))
            }
            return found
        }
        let page = found.prefix(limit)
        let token = found.count > limit ? page.last.map { PageToken.encode($0.key) } : nil
        return ScanPage(scans: page.map(\.packed.scan), nextPageToken: token)
    }
}

extension [ScanRecord] {
    /// Newest `createdAt` first, ties by id descending: the list order.
    func sortedNewestFirst() -> [ScanRecord] {
        func key(_ record: ScanRecord) -> ScanSortKey {
            ScanSortKey(createdAt: record.packed?.createdAt ?? .distantPast, id: record.id)
        }
        return sorted { key($0) > key($1) }
    }
}
