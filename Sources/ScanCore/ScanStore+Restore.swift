import Foundation

extension ScanStore {
    /// Loads scans read back from the state journal into the store as they were — same revision, times and `via` —
    /// without publishing events (those happened before the restart) or waking anyone. A scan already cached is
    /// kept; past `maxScans` the rest are skipped, so pass the most recently updated first.
    public func restore(_ scans: [Scan]) {
        state.withLock { state in
            var restored: [ScanRecord] = []
            for scan in scans where state.records.count < configuration.maxScans && state.record(scan.id) == nil {
                let record = ScanRecord(PackedScan(scan))
                state.records.insert(RecordKey(record))
                state.order.insert(record)
                state.byImage.append(record, to: scan.subject.imageId)
                restored.append(record)
            }
            // The eviction queues must hear of changes in the order they happened, whatever order `scans` came in.
            for record in restored.sorted(by: { ($0.packed?.updatedAt ?? .distantPast) < ($1.packed?.updatedAt ?? .distantPast) }) {
                state.noteChange(record)
            }
        }
    }

    /// Every cached scan with its `raw`, for a snapshot of the state journal. Pages through the store, so other
    /// callers are never held for long.
    public func allScans() -> [Scan] {
        var scans: [Scan] = []
        var query = ScanQuery(limit: 1000, includeRaw: true)
        repeat {
            guard let page = try? list(query) else { break }
            scans += page.scans
            query.pageToken = page.nextPageToken
        } while query.pageToken != nil
        return scans
    }
}
