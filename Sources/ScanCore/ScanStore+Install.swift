import Foundation

extension ScanStore {
    /// Puts a scan changed elsewhere — by another replica, read back from a store they share — into the cache as it
    /// is, when it is newer than the cached revision (or not cached), and wakes the long-polls on it. Publishes
    /// nothing: the change's event comes from the shared store's own event feed, numbered there. Returns false when
    /// the cache already holds this revision or a newer one, or is full of fresh in-progress scans.
    @discardableResult
    public func install(_ scan: Scan, now: Date = Date()) -> Bool {
        let evicted = state.withLock { state -> String?? in
            var evicted: String?
            if let record = state.record(scan.id) {
                guard let current = record.packed?.scan(includingRaw: false), current.revision < scan.revision else {
                    return nil
                }
                record.update(PackedScan(scan))
                reindex(record, from: current, to: scan, in: &state)
            } else {
                let full = state.records.count >= configuration.maxScans
                if full {
                    guard canEvict(in: &state, now: now), let dropped = evictOne(in: &state, now: now) else { return nil }
                    evicted = dropped
                }
                let record = ScanRecord(PackedScan(scan))
                state.records.insert(RecordKey(record))
                state.order.insert(record)
                state.byImage.append(record, to: scan.subject.imageId)
                state.noteChange(record)
            }
            return .some(evicted)
        }
        guard let evicted else { return false }
        // Outside the lock, as in `apply`.
        if let evicted { waiters.wake(evicted) }
        waiters.wake(scan.id)
        return true
    }
}
