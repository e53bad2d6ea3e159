import Foundation
import Polling
import Postgres
import Providers

/// The watches of every replica in the `watches` table, leased per poll (``LeasedWatchStore``) with the lease epoch
/// as the fence. A row's columns are the truth for what decides anything — state, when it is due, the lease, when
/// it was created — all on the database's clock; the `document` is the ``WatchState`` the last poll left, which the
/// next poll (on any replica) continues from.
public struct PostgresWatchStore: LeasedWatchStore {
    public typealias Fence = WatchFence

    public let database: PostgresScanState
    /// Names this replica in `lease_owner` (for operators: the fence, not the owner, guards writes).
    public let owner: String
    public let policy: PollPolicy
    /// The `data:` of the `watch.expired` event appended for each watch `expireDue` ends, in the same transaction
    /// (so exactly one replica publishes it, to every replica's SSE readers); nil: no event.
    public let expiredEventPayload: (@Sendable (Watch) -> [UInt8])?
    let schedule: PollSchedule

    public init(
        database: PostgresScanState, owner: String, policy: PollPolicy,
        expiredEventPayload: (@Sendable (Watch) -> [UInt8])? = nil
    ) {
        self.database = database
        self.owner = owner
        self.policy = policy
        self.expiredEventPayload = expiredEventPayload
        self.schedule = PollSchedule(policy: policy)
    }

    static let active = "state IN ('waiting', 'polling')"

    public func leaseDue(source: String, limit: Int, ttl: Duration) async throws -> [LeasedWatchState<WatchFence>] {
        let parameters: [PostgresValue?] = [
            PostgresValue(owner), PostgresValue(interval: ttl), PostgresValue(max(1, limit)), PostgresValue(source),
            PostgresValue(interval: policy.maxWatchAge),
        ]
        return try await database.write { connection in
            // Past its age a watch is expired by `expireDue`, not polled once more.
            try connection.execute(
                """
                UPDATE watches w SET lease_owner = $1, lease_until = now() + $2::interval, lease_epoch = w.lease_epoch + 1,
                    state = 'polling'
                FROM (SELECT id FROM watches
                      WHERE \(Self.active) AND source = $4 AND next_poll_at <= now() AND lease_until < now()
                        AND created_at > now() - $5::interval
                      ORDER BY next_poll_at FOR UPDATE SKIP LOCKED LIMIT $3::bigint) due
                WHERE w.id = due.id
                RETURNING \(Self.columns(of: "w")), w.lease_epoch
                """, parameters
            ).rows.map { row in
                let state = try Self.state(row)
                return LeasedWatchState(
                    state: state, fence: WatchFence(watchId: state.watch.id, epoch: try row.int64(Self.columnCount)))
            }
        }
    }

    public func renew(_ fence: WatchFence, ttl: Duration) async throws -> Bool {
        try await database.renew(fence, ttl: ttl)
    }

    /// The lease's epoch moves on as it is released, so nothing more can be written with this fence.
    public func finish(_ fence: WatchFence, _ step: PollTransition.Step) async throws -> Watch? {
        var state = step.state
        var nextPollIn: Duration?
        switch step.next {
        case .poll(let wait):
            nextPollIn = wait
        case .done(let scanId):
            state.watch.state = .done
            if let scanId { state.watch.scanId = scanId }
        }
        state.watch.nextPollAt = nil
        let parameters: [PostgresValue?] = [
            PostgresValue(fence.watchId), PostgresValue(fence.epoch), PostgresValue(state.watch.state.rawValue),
            nextPollIn.map { PostgresValue(interval: $0) }, PostgresValue(interval: policy.maxWatchAge),
            state.watch.lastError.map { PostgresValue($0) }, PostgresValue(bytes: try state.encoded()),
            PostgresValue(WatchFollowing.key(of: state.pollRef)),
        ]
        return try await database.write { connection in
            try connection.execute(
                """
                UPDATE watches SET state = $3, next_poll_at = least(now() + $4::interval, created_at + $5::interval),
                    last_error = $6, document = $7::bytea, follow_key = $8, lease_owner = NULL, lease_until = '-infinity',
                    lease_epoch = lease_epoch + 1, updated_at = now()
                WHERE id = $1 AND lease_epoch = $2::bigint
                RETURNING \(Self.columns())
                """, parameters
            ).rows.first.map { try Self.state($0).watch }
        }
    }

    /// Due again at once (its `next_poll_at` has passed), for the first replica that leases. A watch whose first
    /// poll is given back goes back to `waiting`: leasing marked it `polling`, but no poll of it has ended, and the
    /// document (written by the last finished poll, or at creation) still says what it was before.
    public func release(_ fence: WatchFence) async throws {
        _ = try await database.write { connection in
            try connection.execute(
                """
                UPDATE watches SET lease_owner = NULL, lease_until = '-infinity', lease_epoch = lease_epoch + 1,
                    state = CASE WHEN state = 'polling' AND convert_from(document, 'UTF8')::jsonb #>> '{watch,state}' = 'waiting'
                                 THEN 'waiting' ELSE state END
                WHERE id = $1 AND lease_epoch = $2::bigint
                """, [PostgresValue(fence.watchId), PostgresValue(fence.epoch)])
        }
    }

    public func pollNow(_ ref: ScanRef, source: String) async throws -> Int {
        try await database.write { connection in
            let candidates = try connection.execute(
                "SELECT \(Self.columns()) FROM watches WHERE source = $1 AND follow_key = $2 AND \(Self.active) ORDER BY id FOR UPDATE",
                [PostgresValue(source), PostgresValue(WatchFollowing.key(of: ref))])
            let ids = try candidates.rows.map { try Self.state($0) }
                .filter { WatchFollowing.overlaps($0.pollRef, ref) }.map(\.watch.id)
            guard !ids.isEmpty else { return 0 }
            try connection.execute(
                "UPDATE watches SET next_poll_at = now(), updated_at = now() WHERE id = ANY($1::text[])",
                [PostgresValue(textArray: ids)])
            return ids.count
        }
    }

    /// A watch being polled expires once its poll has finished (or its lease lapsed), as in the scheduler: a result
    /// in flight is not thrown away for the expiry. With ``expiredEventPayload`` each expiry appends its event.
    public func expireDue(limit: Int) async throws -> [Watch] {
        let parameters: [PostgresValue?] = [PostgresValue(interval: policy.maxWatchAge), PostgresValue(max(1, limit))]
        let (payload, channel) = (expiredEventPayload, database.configuration.notifyChannel)
        return try await database.write { connection in
            let expired = try connection.execute(
                """
                UPDATE watches SET state = 'expired', next_poll_at = NULL, lease_owner = NULL, lease_until = '-infinity',
                    lease_epoch = lease_epoch + 1, updated_at = now()
                WHERE id IN (SELECT id FROM watches
                             WHERE \(Self.active) AND created_at <= now() - $1::interval AND lease_until < now()
                             ORDER BY created_at FOR UPDATE SKIP LOCKED LIMIT $2::bigint)
                RETURNING \(Self.columns())
                """, parameters
            ).rows.map { try Self.state($0).watch }
            // Ended watches stay readable for the maximum age after they ended, then are forgotten.
            try connection.execute(
                """
                DELETE FROM watches WHERE id IN (
                    SELECT id FROM watches WHERE NOT (\(Self.active)) AND updated_at <= now() - $1::interval
                    ORDER BY updated_at FOR UPDATE SKIP LOCKED LIMIT $2::bigint)
                """, parameters)
            // Last before COMMIT: the event counter's row lock orders the writers.
            if let payload, !expired.isEmpty {
                _ = try PostgresScanState.appendEvents(
                    expired.map { (type: "watch.expired", payload: payload($0), scanId: nil) }, channel: channel, on: connection)
            }
            return expired
        }
    }

    /// The number of watches in each state, for the `scanrelay_watches{state}` gauge.
    public func countsByState() async throws -> [Watch.State: Int] {
        try await database.read { connection in
            try connection.execute("SELECT state, count(*) FROM watches GROUP BY state").rows.reduce(into: [:]) { counts, row in
                if let state = Watch.State(rawValue: try row.string(0)) { counts[state] = Int(try row.int64(1)) }
            }
        }
    }

    // MARK: Rows

    static let columnCount = 6

    /// The columns ``state(_:)`` reads, of the table named `table`.
    static func columns(of table: String = "watches") -> String {
        let t = table
        return """
            \(t).id, \(t).state, extract(epoch FROM \(t).next_poll_at), \(t).last_error, \(t).document,
            extract(epoch FROM \(t).created_at)
            """
    }

    /// The watch's state: its document, with what the columns decide put over it.
    static func state(_ row: PostgresRow) throws -> WatchState {
        var state = try WatchState.decode(try row.bytes(4))
        guard let watchState = Watch.State(rawValue: try row.string(1)) else {
            throw PostgresError(.unexpectedResult, message: "a watch row has an unknown state")
        }
        state.watch.id = try row.string(0)
        state.watch.state = watchState
        state.watch.nextPollAt = try watchState.isActive ? row.optionalEpochDate(2) : nil
        state.watch.lastError = row.optionalString(3)
        state.watch.createdAt = try row.epochDate(5)
        return state
    }
}
