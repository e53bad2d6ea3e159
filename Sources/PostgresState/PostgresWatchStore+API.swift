import Foundation
import Polling
import Postgres
import Providers
import ScanCore

/// What `/v1/watches` does in PostgreSQL mode, each one statement or transaction, and the webhook rule that ends the
/// watches following a scan. The caller checks the request against its sources first (as `WatchScheduler.add`
/// does), and wakes its poller after a create so a watch due now is leased at once.
extension PostgresWatchStore {
    /// Creates a watch, first due as ``PollSchedule/firstPoll(scanStartedAt:imageSizeBytes:expectWebhook:)`` says
    /// (the scan's start defaulting to the database's now), never past its expiry. Throws `WatchError.tooManyWatches`
    /// when `maxWatches` watches are held, exactly: creates on every replica take one transaction-scoped advisory
    /// lock first, so each counts after the last one committed (under READ COMMITTED the `INSERT`'s snapshot is taken
    /// once the lock is held; without it two creates could both count `maxWatches - 1`).
    public func create(_ request: WatchRequest) async throws -> Watch {
        let id = "w_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let (schedule, maxWatches) = (self.schedule, policy.maxWatches)
        let created = try await database.write { connection -> Watch? in
            let now = try connection.execute(
                "SELECT pg_advisory_xact_lock($1::bigint), extract(epoch FROM now())", [PostgresValue(Self.creationLockKey)]
            ).single("now").epochDate(1)
            let startedAt = request.scanStartedAt ?? now
            let firstPoll = min(
                schedule.firstPoll(scanStartedAt: startedAt, imageSizeBytes: request.imageSizeBytes, expectWebhook: request.expectWebhook),
                schedule.expiry(createdAt: now))
            let watch = Watch(
                id: id, source: request.source, ref: request.ref, imageSizeBytes: request.imageSizeBytes,
                expectWebhook: request.expectWebhook, scanStartedAt: startedAt, createdAt: now, nextPollAt: firstPoll)
            // The watch as read back, so the answer to the create equals every later read of it.
            return try connection.execute(
                """
                INSERT INTO watches (id, source, state, next_poll_at, document, follow_key, created_at, updated_at)
                SELECT $1, $2, 'waiting', to_timestamp($3::float8), $4::bytea, $5, now(), now()
                WHERE (SELECT count(*) FROM watches) < $6::bigint
                RETURNING \(Self.columns())
                """,
                [PostgresValue(id), PostgresValue(request.source), PostgresValue(firstPoll.timeIntervalSince1970),
                 PostgresValue(bytes: try WatchState(watch: watch).encoded()), PostgresValue(WatchFollowing.key(of: request.ref)),
                 PostgresValue(maxWatches)]
            ).rows.first.map { try Self.state($0).watch }
        }
        guard let created else { throw WatchError.tooManyWatches(limit: maxWatches) }
        return created
    }

    /// "SCANWTCH": the advisory lock creates hold until they commit (the migrator's is "SCANRELA").
    static let creationLockKey: Int64 = 0x5343_414E_5754_4348

    public func watch(id: String) async throws -> Watch? {
        try await database.read { connection in
            try connection.execute("SELECT \(Self.columns()) FROM watches WHERE id = $1", [PostgresValue(id)])
                .rows.first.map { try Self.state($0).watch }
        }
    }

    /// One page of watches, newest first (ties by id), in `state` if given — the order and tokens of
    /// ``WatchScheduler/list(state:limit:pageToken:)``. Nil when `pageToken` is not a token this service made.
    public func list(state: Watch.State? = nil, limit: Int = 100, pageToken: String? = nil) async throws -> WatchPage? {
        var after: (createdAtMicros: Int64, id: String)?
        if let pageToken {
            guard let position = WatchPageToken.position(pageToken) else { return nil }
            after = position
        }
        let limit = min(max(limit, 1), WatchScheduler.maxPageSize)
        let parameters: [PostgresValue?] = [
            state.map { PostgresValue($0.rawValue) }, after.map { PostgresValue($0.createdAtMicros) }, after.map { PostgresValue($0.id) },
            PostgresValue(limit + 1),
        ]
        let watches = try await database.read { connection in
            try connection.execute(
                """
                SELECT \(Self.columns()) FROM watches
                WHERE ($1::text IS NULL OR state = $1)
                  AND ($2::bigint IS NULL OR (created_at, id) < (to_timestamp(0) + $2::bigint * interval '1 microsecond', $3))
                ORDER BY created_at DESC, id DESC LIMIT $4::bigint
                """, parameters
            ).rows.map { try Self.state($0).watch }
        }
        let page = Array(watches.prefix(limit))
        return WatchPage(watches: page, nextPageToken: watches.count > limit ? page.last.map(WatchPageToken.after) : nil)
    }

    /// Stops a watch (`DELETE`): an active one becomes `cancelled` and its lease epoch moves on, so a poll in flight
    /// on any replica can write nothing more (its next renewal is refused, which cancels it). An ended watch is
    /// returned as it is; nil when there is none.
    public func cancel(id: String) async throws -> Watch? {
        try await database.write { connection in
            let cancelled = try connection.execute(
                """
                UPDATE watches SET state = 'cancelled', next_poll_at = NULL, lease_owner = NULL, lease_until = '-infinity',
                    lease_epoch = lease_epoch + 1, updated_at = now()
                WHERE id = $1 AND \(Self.active)
                RETURNING \(Self.columns())
                """, [PostgresValue(id)])
            if let row = cancelled.rows.first { return try Self.state(row).watch }
            return try connection.execute("SELECT \(Self.columns()) FROM watches WHERE id = $1", [PostgresValue(id)])
                .rows.first.map { try Self.state($0).watch }
        }
    }

    /// The `matchWebhook` rule on the shared watches, in one transaction: a terminal update ends every active watch
    /// following its scan (`done`, `scanId` set, the lease epoch moved on so a poll in flight cannot write over it);
    /// a non-terminal one only records the scan's id on them. Returns the watches changed.
    public func endWatches(following update: ScanUpdate) async throws -> [Watch] {
        // Nearly every webhook is followed by no watch: one read outside a transaction says so in one round trip,
        // where the locking transaction takes three. A watch created after this read is missed exactly as it would
        // be after the transaction's own read. (A delivery usually has its answer already, from its commit.)
        let probe = FollowingWatchProbe([update]).expression(parametersFrom: 1)
        let followed = try await database.read { connection in
            try connection.execute("SELECT \(probe.sql)", probe.parameters).single("the watch probe").bool(0)
        }
        guard followed else { return [] }
        return try await database.write { connection in try Self.endWatches(following: update, on: connection) }
    }

    /// ``endWatches(following:)`` inside a caller's transaction (a webhook's delivery commits it with its scans).
    public static func endWatches(following update: ScanUpdate, on connection: PostgresConnection) throws -> [Watch] {
        let candidates = try connection.execute(
            """
            SELECT \(columns()) FROM watches
            WHERE source = $1 AND follow_key = ANY($2::text[]) AND \(active)
            ORDER BY id FOR UPDATE
            """, [PostgresValue(update.source), PostgresValue(textArray: WatchFollowing.keys(of: update))])
        var changed: [Watch] = []
        for row in candidates.rows {
            var state = try Self.state(row)
            guard WatchFollowing.follows(state.pollRef, update, since: state.watch.scanStartedAt) else { continue }
            let statement: String
            if update.status.isTerminal {
                state.watch.state = .done
                state.watch.nextPollAt = nil
                statement = """
                    UPDATE watches SET state = 'done', next_poll_at = NULL, document = $2::bytea, lease_owner = NULL,
                        lease_until = '-infinity', lease_epoch = lease_epoch + 1, updated_at = now()
                    WHERE id = $1 RETURNING \(columns())
                    """
            } else if state.watch.scanId != update.scanId {
                statement = "UPDATE watches SET document = $2::bytea, updated_at = now() WHERE id = $1 RETURNING \(columns())"
            } else {
                continue
            }
            state.watch.scanId = update.scanId
            let written = try connection.execute(statement, [PostgresValue(state.watch.id), PostgresValue(bytes: try state.encoded())])
            if let row = written.rows.first { changed.append(try Self.state(row).watch) }
        }
        return changed
    }
}
