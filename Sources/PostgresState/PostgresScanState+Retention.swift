import Postgres

/// Retention, safe when every replica runs it at once: each batch deletes rows it could lock (`SKIP LOCKED`), so two
/// replicas split the work instead of waiting on each other, and a key being claimed right now is left alone.
extension PostgresScanState {
    /// Deletes delivery keys claimed longer than `window` ago (they no longer make duplicates), `batch` rows per
    /// statement, at most `maxBatches` statements. Returns how many were deleted.
    public func pruneDeliveries(olderThan window: Duration, batch: Int = 1000, maxBatches: Int = 100) async throws -> Int {
        try await prune(maxBatches: maxBatches) { connection in
            try connection.execute(
                """
                DELETE FROM deliveries WHERE key IN (
                    SELECT key FROM deliveries WHERE claimed_at <= now() - $1::interval
                    ORDER BY claimed_at LIMIT $2::bigint FOR UPDATE SKIP LOCKED)
                """,
                [PostgresValue(interval: window), PostgresValue(max(1, batch))]
            ).affectedRows
        }
    }

    /// Deletes events that are both beyond the newest `keepLast` and older than `maxAge`: readers can resume from
    /// the longer of the two. Returns how many were deleted.
    public func pruneEvents(keepLast: Int, olderThan maxAge: Duration, batch: Int = 1000, maxBatches: Int = 100) async throws -> Int {
        try await prune(maxBatches: maxBatches) { connection in
            try connection.execute(
                """
                DELETE FROM events WHERE id IN (
                    SELECT id FROM events
                    WHERE id <= (SELECT last_id FROM event_counter) - $1::bigint AND created_at < now() - $2::interval
                    ORDER BY id LIMIT $3::bigint FOR UPDATE SKIP LOCKED)
                """,
                [PostgresValue(max(0, keepLast)), PostgresValue(interval: maxAge), PostgresValue(max(1, batch))]
            ).affectedRows
        }
    }

    /// Runs `deleteBatch` (each in its own transaction, so locks are held briefly) until a batch deletes nothing or
    /// `maxBatches` ran.
    private func prune(maxBatches: Int, _ deleteBatch: @escaping @Sendable (PostgresConnection) throws -> Int) async throws -> Int {
        var total = 0
        for _ in 0..<max(1, maxBatches) {
            let deleted = try await write(deleteBatch)
            total += deleted
            if deleted == 0 { break }
        }
        return total
    }
}
