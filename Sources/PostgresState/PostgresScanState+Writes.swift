import Foundation
import Postgres
import ScanCore

extension PostgresScanState {
    /// A webhook delivery: claims `key`, merges each update into its scan and appends the events, all in one
    /// transaction. A key claimed within `window` (by any replica) makes a duplicate and nothing is applied; a key
    /// claimed longer ago counts as new whether or not retention has deleted it yet. A concurrent duplicate waits
    /// on the first claim and sees it once that commits. Any failure rolls everything back, the claim too, so the
    /// sender's retry is processed.
    public func acceptDelivery(key: String, window: Duration, updates: [ScanUpdate]) async throws -> DeliveryOutcome {
        let channel = configuration.notifyChannel
        let ids = Set(updates.map(\.scanId)).sorted()
        // BEGIN travels with the claim and the lock of the scans it will change, and the events with the COMMIT:
        // three round trips for a delivery that creates or changes one scan. No row back from the claim is a
        // duplicate (the key is held within the window; nothing was locked); otherwise one row per existing scan, or
        // one with the scan columns NULL when none exists yet. The scans are locked only once the claim succeeded.
        let lock = StoredScan.Lock(ids: ids, parameter: 3)
        let claim = [PostgresValue(key), PostgresValue(interval: window), lock.parameter]
        // The events' statement also asks whether any watch follows these scans, so that the usual delivery, followed
        // by none, needs no round trip of its own for it. With no event to append (nothing changed) nobody looked.
        let probe = FollowingWatchProbe(updates)
        return try await write(first: (Self.claimAndLock(lock), claim)) { claimed, connection in
            guard let first = claimed.rows.first else { return .duplicate }
            let locked = try StoredScan.byId(in: claimed, from: 1)
            let outcomes = try Self.apply(updates, now: try first.epochDate(0), locked: locked, on: connection)
            let appended = try Self.appendEvents(for: outcomes, channel: channel, probing: probe, committing: true, on: connection)
            return .accepted(appended.updates, watchesMayFollow: appended.watchesFollow ?? true)
        }
    }

    /// A delivery's claim (`$1` key, `$2` window), then the lock of the scans (`$3` ids, sorted) it will change: no
    /// claim row, no lock.
    static func claimAndLock(_ lock: StoredScan.Lock) -> String {
        """
        WITH claim AS (
            INSERT INTO deliveries (key, claimed_at) VALUES ($1, now())
            ON CONFLICT (key) DO UPDATE SET claimed_at = now()
                WHERE deliveries.claimed_at <= now() - $2::interval
            RETURNING extract(epoch FROM now()) AS at
        ), locked AS (
            SELECT scan.* FROM \(lock.fromItem(onlyIf: "EXISTS (SELECT 1 FROM claim)"))
        )
        SELECT claim.at, locked.* FROM claim LEFT JOIN locked ON true
        """
    }

    /// A poll's result for the watch holding `fence` (nil: no watch, as for a one-off fetch). The watch row is
    /// share-locked first, so a replica taking the lease over waits for this commit; without the lease (the epoch
    /// moved on, or the watch is gone) nothing is written.
    public func keep(_ update: ScanUpdate, fence: WatchFence?) async throws -> KeepOutcome {
        let channel = configuration.notifyChannel
        let lock = StoredScan.Lock(ids: [update.scanId], parameter: 1)
        let parameters = [lock.parameter] + (fence.map { [PostgresValue($0.watchId), PostgresValue($0.epoch)] } ?? [])
        // BEGIN travels with the fence's check, the database's clock and the scan's lock; the event with the COMMIT:
        // three round trips for a poll's result.
        return try await write(first: (Self.fenceAndLock(lock, fenced: fence != nil), parameters)) { first, connection in
            guard let row = first.rows.first else { throw PostgresError(.unexpectedResult, message: "no row from a poll's lock") }
            guard try row.bool(1) else { return .fenceLost }
            let locked = try StoredScan.byId(in: first, from: 2)
            let outcomes = try Self.apply([update], now: try row.epochDate(0), locked: locked, on: connection)
            guard let applied = try Self.appendEvents(for: outcomes, channel: channel, committing: true, on: connection).updates.first else {
                throw PostgresError(.unexpectedResult, message: "a kept update produced no outcome")
            }
            return .kept(applied)
        }
    }

    /// The first statement of ``keep(_:fence:)``: the watch row share-locked when `fenced` (`$2` id, `$3` epoch), so
    /// a replica taking the lease over waits for this commit, and whether it is held; the database's clock; then
    /// the scan (`$1`) locked, only while the lease holds. One row: the time, the lease, the scan's columns (NULL
    /// when there is no such scan yet).
    static func fenceAndLock(_ lock: StoredScan.Lock, fenced: Bool) -> String {
        let held = fenced ? "SELECT 1 FROM watches WHERE id = $2 AND lease_epoch = $3::bigint FOR SHARE" : "SELECT 1"
        return """
            WITH held AS (\(held)), locked AS (
                SELECT scan.* FROM \(lock.fromItem(onlyIf: "EXISTS (SELECT 1 FROM held)"))
            )
            SELECT extract(epoch FROM now()), EXISTS (SELECT 1 FROM held), locked.* FROM (SELECT 1) AS one LEFT JOIN locked ON true
            """
    }

    /// Appends one event not tied to a scan change (a watch's end, say) in its own transaction.
    public func appendEvent(type: String, payload: [UInt8], scanId: String? = nil) async throws -> StoredEvent {
        let channel = configuration.notifyChannel
        return try await write { connection in
            try Self.appendEvents([(type, payload, scanId)], channel: channel, on: connection).events[0]
        }
    }

    /// Merges `updates` in order into their scans, writing each change at once, once the existing ones are locked
    /// (in id order, so two writers touching the same scans cannot deadlock on them) and read (`locked`, by id); a
    /// scan missing there is created, or merged into if another transaction created it meanwhile.
    static func apply(
        _ updates: [ScanUpdate], now: Date, locked: [String: Scan], on connection: PostgresConnection
    ) throws -> [ApplyOutcome] {
        var current = locked
        var outcomes: [ApplyOutcome] = []
        for update in updates {
            if current[update.scanId] == nil {
                let created = ScanMerge.makeScan(update, now: now)
                if try !connection.execute(StoredScan.insert, StoredScan.parameters(created)).rows.isEmpty {
                    current[created.id] = created
                    outcomes.append(.created(created))
                    continue
                }
                // Another transaction created it after the SELECT above and has committed: merge into its row.
                let row = try connection.execute(
                    "SELECT \(StoredScan.columns) FROM scans WHERE id = $1 FOR UPDATE", [PostgresValue(update.scanId)]
                ).single("a scan created concurrently")
                current[update.scanId] = try StoredScan.decode(row)
            }
            guard let scan = current[update.scanId] else { continue }
            guard let next = ScanMerge.merge(update, into: scan, now: now) else {
                outcomes.append(.unchanged(scan))
                continue
            }
            try connection.execute(StoredScan.update, StoredScan.parameters(next))
            current[next.id] = next
            outcomes.append(.changed(old: scan, new: next))
        }
        return outcomes
    }

    /// The events of `outcomes` (none for an unchanged scan), paired with them in order, and the answer of `probe`
    /// when given (nil when there was no event, so no statement to carry it).
    static func appendEvents(
        for outcomes: [ApplyOutcome], channel: String, probing probe: FollowingWatchProbe? = nil, committing: Bool = false,
        on connection: PostgresConnection
    ) throws -> (updates: [AppliedUpdate], watchesFollow: Bool?) {
        let pending = outcomes.map { outcome -> (type: String, payload: [UInt8], scanId: String?)? in
            guard let type = outcome.eventType, let scan = outcome.scan else { return nil }
            return (type, ScanJSON.encodeEvent(type: type, scan: scan), scan.id)
        }
        let appended = try appendEvents(pending.compactMap { $0 }, channel: channel, probing: probe, committing: committing, on: connection)
        var events = appended.events[...]
        let updates = zip(outcomes, pending).map { outcome, pending in
            AppliedUpdate(outcome: outcome, event: pending == nil ? nil : events.popFirst())
        }
        return (updates, appended.watchesFollow)
    }

    /// The rows of ``appendEvents(_:channel:probing:committing:on:)``'s insert: one event (nearly every write) in scalar
    /// parameters, several unnested from arrays. Two statements rather than one: PostgreSQL plans the array form
    /// afresh on every call (its generic plan, costed for ten elements, never beats a custom plan for one), which
    /// doubled the database's work per delivery; the scalar form is planned once per session.
    private static func eventRows(
        _ events: [(type: String, payload: [UInt8], scanId: String?)]
    ) -> (sql: String, parameters: [PostgresValue?]) {
        if events.count == 1, let event = events.first {
            return ("SELECT counter.last_id, $2, $3::bytea, $4 FROM counter",
                    [PostgresValue(1), PostgresValue(event.type), PostgresValue(bytes: event.payload), event.scanId.map { PostgresValue($0) }])
        }
        return (
            """
            SELECT counter.last_id - $1::bigint + event.position, event.type, event.payload, NULLIF(event.scan_id, '')
            FROM counter, unnest($2::text[], $3::bytea[], $4::text[]) WITH ORDINALITY AS event(type, payload, scan_id, position)
            """,
            [
                PostgresValue(events.count), PostgresValue(textArray: events.map(\.type)),
                PostgresValue(byteaArray: events.map(\.payload)),
                // Scan ids are never empty (ids are validated), so "" stands for an event of no scan.
                PostgresValue(textArray: events.map { $0.scanId ?? "" }),
            ]
        )
    }

    /// Takes the ids from the one-row counter, inserts the events and notifies with the last id, in one statement —
    /// the last write before COMMIT: the counter's row lock orders the writers, so ids become visible in commit order
    /// without gaps (an id of a rolled-back transaction is given again), and one statement holds that lock for one
    /// round trip instead of one per event plus the notify's. `committing`: the statement travels with the COMMIT of
    /// a ``PostgresConnection/transaction(begin:first:_:)`` (nothing may follow it then); with no event to append
    /// nothing is sent and the transaction commits as usual. `probe`'s answer comes back from the same statement, as
    /// of its snapshot (nil when nothing was sent).
    static func appendEvents(
        _ events: [(type: String, payload: [UInt8], scanId: String?)], channel: String, probing probe: FollowingWatchProbe? = nil,
        committing: Bool = false, on connection: PostgresConnection
    ) throws -> (events: [StoredEvent], watchesFollow: Bool?) {
        guard !events.isEmpty else { return ([], nil) }
        let run = committing ? connection.executeAndCommit : connection.execute
        let rows = eventRows(events)
        let following = probe?.expression(parametersFrom: 6) ?? (sql: "NULL::boolean", parameters: [])
        let last = try run(
            """
            WITH counter AS (
                UPDATE event_counter SET last_id = last_id + $1::bigint RETURNING last_id
            ), inserted AS (
                INSERT INTO events (id, type, payload, scan_id)
                \(rows.sql)
                RETURNING id
            )
            SELECT counter.last_id, (SELECT count(*) FROM inserted), pg_notify($5, counter.last_id::text),
                \(following.sql)
            FROM counter
            """,
            rows.parameters + [PostgresValue(channel)] + following.parameters
        ).single("the event counter")
        let lastId = UInt64(try last.int64(0))
        guard try last.int64(1) == Int64(events.count) else {
            throw PostgresError(.unexpectedResult, message: "not every event was inserted")
        }
        let stored = events.enumerated().map { offset, event in
            StoredEvent(
                id: lastId - UInt64(events.count) + 1 + UInt64(offset), type: event.type, payload: event.payload,
                scanId: event.scanId)
        }
        return (stored, probe == nil ? nil : try last.bool(3))
    }
}

extension PostgresScanState {
    /// Gives a delivery's claim back after its effects committed but what followed them failed, so the sender's
    /// retry is processed rather than taken for a duplicate.
    public func releaseDelivery(key: String) async throws {
        try await write { connection in
            _ = try connection.execute("DELETE FROM deliveries WHERE key = $1", [PostgresValue(key)])
        }
    }
}
