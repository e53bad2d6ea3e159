extension ScanStore {
    /// One page of the scans matching `query`, newest `createdAt` first (ties: id descending).
    ///
    /// With an `imageId` filter the image index is used. Otherwise the walk goes down the list order from the page
    /// start and examines at most `configuration.listWalkBudget` scans: a selective filter over a large cache may
    /// then return fewer than `limit` scans (even none) with a `nextPageToken` to continue from. Clients follow
    /// tokens until there is none, as they must anyway.
    public func list(_ query: ScanQuery) throws(ScanQuery.InvalidPageToken) -> ScanPage {
        var after: ScanSortKey?
        if let token = query.pageToken {
            guard let key = PageToken.decode(token) else { throw ScanQuery.InvalidPageToken() }
            after = key
        }
        let limit = max(1, query.limit)
        let budget = configuration.listWalkBudget
        let walk = state.withLock { state -> ListWalk in
            var walk = ListWalk()
            if let imageId = query.imageId {
                for record in (state.byImage[imageId] ?? []).sortedNewestFirst() {
                    guard let packed = record.packed, packed.matches(query) else { continue }
                    let key = ScanSortKey(createdAt: packed.createdAt, id: record.id)
                    if let after, !(key < after) { continue }
                    guard walk.found.count < limit else { walk.more = true; break }
                    walk.found.append((key, packed))
                }
                return walk
            }
            var examined = 0
            state.order.walkDown(below: after) { entry in
                guard examined < budget else {
                    walk.more = true
                    return false
                }
                examined += 1
                walk.lastExamined = entry
                guard entry.isLive, let packed = entry.record.packed, packed.matches(query) else { return true }
                guard walk.found.count < limit else {
                    walk.more = true
                    return false
                }
                walk.found.append((entry.key, packed))
                return true
            }
            return walk
        }
        let resume = walk.found.count == limit ? walk.found.last?.key : walk.lastExamined?.key
        return ScanPage(
            scans: walk.found.map { $0.packed.scan(includingRaw: query.includeRaw) },
            nextPageToken: walk.more ? resume.map(PageToken.encode) : nil
        )
    }
}

/// What one `list` walk collected under the lock.
private struct ListWalk {
    var found: [(key: ScanSortKey, packed: PackedScan)] = []
    /// Matching scans may follow.
    var more = false
    /// Where a page cut short by the walk budget resumes.
    var lastExamined: ScanListOrder.Entry?
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
