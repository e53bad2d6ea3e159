extension ScanStore {
    /// One page of the scans matching `query`, newest `createdAt` first (ties: id descending).
    ///
    /// With an `imageId` filter the image index is used; otherwise the walk goes down the list order from the page
    /// start, so its cost is the number of entries passed over — a page for unfiltered queries, more for selective
    /// filters over a large cache.
    public func list(_ query: ScanQuery) throws(ScanQuery.InvalidPageToken) -> ScanPage {
        var after: ScanSortKey?
        if let token = query.pageToken {
            guard let key = PageToken.decode(token) else { throw ScanQuery.InvalidPageToken() }
            after = key
        }
        let limit = max(1, query.limit)
        // One more than the page tells whether another page follows.
        var scans: [Scan] = []
        scans.reserveCapacity(min(limit, 1000) + 1)
        state.withLock { state in
            if let imageId = query.imageId {
                let candidates = (state.byImage[imageId] ?? []).compactMap(\.scan)
                    .filter { query.matches($0) && after.map($0.sortKey.isBelow) ?? true }
                    .sorted { $0.sortKey > $1.sortKey }
                scans = Array(candidates.prefix(limit + 1))
                return
            }
            let entries = state.order.entries
            var index = (after.map(state.order.firstIndex(notBelow:)) ?? entries.count) - 1
            while index >= 0, scans.count <= limit {
                let entry = entries[index]
                index -= 1
                guard entry.isLive, let scan = entry.record.scan, query.matches(scan) else { continue }
                scans.append(scan)
            }
        }
        guard scans.count > limit else { return ScanPage(scans: scans, nextPageToken: nil) }
        scans.removeLast()
        return ScanPage(scans: scans, nextPageToken: scans.last.map { PageToken.encode($0.sortKey) })
    }
}

extension ScanSortKey {
    /// Comes after `key` in the newest-first order.
    func isBelow(_ key: ScanSortKey) -> Bool { self < key }
}
