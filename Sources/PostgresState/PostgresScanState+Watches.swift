import Foundation
import Postgres

/// Watches are leased per poll: the lease names an owner and an epoch (the fencing token), and every later write for
/// that poll names the epoch. A replica that lost its lease — paused past it, and another took the watch over —
/// finds its writes refused instead of overwriting the newer owner's.
extension PostgresScanState {
    /// The columns ``watch(_:from:)`` reads, of the table named `table`.
    static func watchColumns(of table: String = "watches") -> String {
        let t = table
        return """
            \(t).id, \(t).source, \(t).state, extract(epoch FROM \(t).next_poll_at), \(t).lease_owner,
            CASE WHEN \(t).lease_until = '-infinity' THEN NULL ELSE extract(epoch FROM \(t).lease_until) END,
            \(t).lease_epoch, \(t).last_error, \(t).document
            """
    }

    static func watch(_ row: PostgresRow, from first: Int = 0) throws -> WatchRecord {
        WatchRecord(
            id: try row.string(first), source: try row.string(first + 1), state: try row.string(first + 2),
            nextPollAt: try row.optionalEpochDate(first + 3), leaseOwner: row.optionalString(first + 4),
            leaseUntil: try row.optionalEpochDate(first + 5), leaseEpoch: try row.int64(first + 6),
            lastError: row.optionalString(first + 7), document: try row.bytes(first + 8))
    }

    /// Creates a watch, first due `firstPollIn` from the database's now (nil: not scheduled). False when a watch
    /// with `id` exists.
    public func createWatch(id: String, source: String, state: String, firstPollIn: Duration?, document: [UInt8]) async throws -> Bool {
        try await write { connection in
            try !connection.execute(
                """
                INSERT INTO watches (id, source, state, next_poll_at, document)
                VALUES ($1, $2, $3, now() + $4::interval, $5::bytea)
                ON CONFLICT (id) DO NOTHING RETURNING 1
                """,
                [PostgresValue(id), PostgresValue(source), PostgresValue(state), firstPollIn.map { PostgresValue(interval: $0) },
                 PostgresValue(bytes: document)]
            ).rows.isEmpty
        }
    }

    public func watch(id: String) async throws -> WatchRecord? {
        try await read { connection in
            try connection.execute("SELECT \(Self.watchColumns()) FROM watches WHERE id = $1", [PostgresValue(id)])
                .rows.first.map { try Self.watch($0) }
        }
    }

    /// Watches in id order after `after` (nil: from the first), at most `limit`.
    public func watches(after: String? = nil, limit: Int = 100) async throws -> [WatchRecord] {
        try await read { connection in
            try connection.execute(
                "SELECT \(Self.watchColumns()) FROM watches WHERE $1::text IS NULL OR id > $1 ORDER BY id LIMIT $2::bigint",
                [after.map { PostgresValue($0) }, PostgresValue(max(1, limit))]
            ).rows.map { try Self.watch($0) }
        }
    }

    /// Deletes a watch; a poll in flight for it then finds its fence gone. False when there was none.
    public func deleteWatch(id: String) async throws -> Bool {
        try await write { connection in
            try !connection.execute("DELETE FROM watches WHERE id = $1 RETURNING 1", [PostgresValue(id)]).rows.isEmpty
        }
    }

    /// Changes a watch outside a poll (a webhook ended it, a user cancelled it): new state, schedule and document, the
    /// lease released and its epoch moved on, so a poll in flight cannot write over the change. False when there is
    /// no such watch.
    public func updateWatch(id: String, state: String, nextPollIn: Duration?, document: [UInt8]) async throws -> Bool {
        try await write { connection in
            try !connection.execute(
                """
                UPDATE watches SET state = $2, next_poll_at = now() + $3::interval, document = $4::bytea,
                    lease_owner = NULL, lease_until = '-infinity', lease_epoch = lease_epoch + 1, updated_at = now()
                WHERE id = $1 RETURNING 1
                """,
                [PostgresValue(id), PostgresValue(state), nextPollIn.map { PostgresValue(interval: $0) }, PostgresValue(bytes: document)]
            ).rows.isEmpty
        }
    }

    /// Leases up to `limit` due watches (active, `next_poll_at` passed, no live lease) to `owner` for `ttl`, skipping
    /// rows another replica is leasing at this moment: two replicas never get the same watch. Oldest due first.
    public func leaseDue(owner: String, ttl: Duration, limit: Int) async throws -> [LeasedWatch] {
        try await write { connection in
            try connection.execute(
                """
                UPDATE watches w SET lease_owner = $1, lease_until = now() + $2::interval, lease_epoch = w.lease_epoch + 1
                FROM (SELECT id FROM watches
                      WHERE state IN ('waiting', 'polling') AND next_poll_at <= now() AND lease_until < now()
                      ORDER BY next_poll_at FOR UPDATE SKIP LOCKED LIMIT $3::bigint) due
                WHERE w.id = due.id
                RETURNING \(Self.watchColumns(of: "w"))
                """,
                [PostgresValue(owner), PostgresValue(interval: ttl), PostgresValue(max(1, limit))]
            ).rows.map { row in
                let watch = try Self.watch(row)
                return LeasedWatch(watch: watch, fence: WatchFence(watchId: watch.id, epoch: watch.leaseEpoch))
            }
        }
    }

    /// Extends a held lease to `ttl` from now. False when the lease was lost: stop the poll, write nothing.
    public func renew(_ fence: WatchFence, ttl: Duration) async throws -> Bool {
        try await write { connection in
            try !connection.execute(
                "UPDATE watches SET lease_until = now() + $3::interval WHERE id = $1 AND lease_epoch = $2::bigint RETURNING 1",
                [PostgresValue(fence.watchId), PostgresValue(fence.epoch), PostgresValue(interval: ttl)]
            ).rows.isEmpty
        }
    }

    /// Ends the poll `fence` covers: the watch's new state, its next poll `nextPollIn` from now (nil: none, for an
    /// ended watch), the poll's error and document; the lease released. False when the lease was lost (nothing
    /// written).
    public func finishPoll(
        _ fence: WatchFence, state: String, nextPollIn: Duration?, lastError: String?, document: [UInt8]
    ) async throws -> Bool {
        try await write { connection in
            try !connection.execute(
                """
                UPDATE watches SET state = $3, next_poll_at = now() + $4::interval, last_error = $5, document = $6::bytea,
                    lease_owner = NULL, lease_until = '-infinity', updated_at = now()
                WHERE id = $1 AND lease_epoch = $2::bigint RETURNING 1
                """,
                [PostgresValue(fence.watchId), PostgresValue(fence.epoch), PostgresValue(state),
                 nextPollIn.map { PostgresValue(interval: $0) }, lastError.map { PostgresValue($0) }, PostgresValue(bytes: document)]
            ).rows.isEmpty
        }
    }
}
