import Foundation
import Postgres
import PostgresState
import ScanCore
import Testing

@Suite struct DeliveryTests {
    @Test func concurrentDuplicatesOnTwoReplicas_ExactlyOneIsAcceptedWithOneEvent() async throws {
        let database = try await TestDatabase.make(replicas: 2)
        defer { database.close() }
        let update = ScanUpdate.make(status: .completed, created: .t(0), updated: .t(60), critical: 2)
        let outcomes = try await withThrowingTaskGroup(of: DeliveryOutcome.self) { group in
            for index in 0..<40 {
                let replica = database.replicas[index % 2]
                group.addTask { try await replica.acceptDelivery(key: "harbor-prod:delivery-7", window: .seconds(3600), updates: [update]) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let accepted = outcomes.filter { $0 != .duplicate }
        #expect(accepted.count == 1)
        #expect(outcomes.count == 40)
        guard case .accepted(let applied, _) = accepted.first else { return }
        #expect(applied.count == 1)
        #expect(applied[0].event?.id == 1 && applied[0].event?.type == "scan.completed")
        #expect(try database.count("events") == 1)
        #expect(try database.count("scans") == 1)
        #expect(try await database.replicas[1].lastEventId() == 1)
    }

    @Test func aFailureAfterTheClaimRollsItBack_SoTheRetryIsProcessed() async throws {
        let database = try await TestDatabase.make()
        defer { database.close() }
        // A fault injected in the last statements of the transaction (the event insert), after the claim and the
        // scan upsert ran.
        try database.inspect { connection in
            try connection.executeScript("""
                CREATE TABLE sabotage (armed boolean);
                CREATE FUNCTION fail_if_armed() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF EXISTS (SELECT 1 FROM sabotage WHERE armed) THEN RAISE EXCEPTION 'injected failure'; END IF;
                    RETURN NEW;
                END $$;
                CREATE TRIGGER events_sabotage BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION fail_if_armed();
                INSERT INTO sabotage VALUES (true);
                """)
        }
        let update = ScanUpdate.make(status: .completed, created: .t(0), updated: .t(60))
        await #expect(throws: PostgresError.self) {
            try await database.state.acceptDelivery(key: "d-1", window: .seconds(3600), updates: [update])
        }
        #expect(try database.count("deliveries") == 0)
        #expect(try database.count("scans") == 0)
        #expect(try await database.state.lastEventId() == 0)

        try database.inspect { try $0.execute("UPDATE sabotage SET armed = false") }
        let retry = try await database.state.acceptDelivery(key: "d-1", window: .seconds(3600), updates: [update])
        guard case .accepted(let applied, _) = retry else {
            Issue.record("the retry was taken for a duplicate")
            return
        }
        // The rolled-back transaction's event id is given again: no gap.
        #expect(applied.first?.event?.id == 1)
        #expect(try await database.state.acceptDelivery(key: "d-1", window: .seconds(3600), updates: [update]) == .duplicate)
    }

    @Test func aKeyOlderThanTheWindowIsNew_EvenBeforeRetentionDeletedIt() async throws {
        let database = try await TestDatabase.make()
        defer { database.close() }
        let first = ScanUpdate.make(status: .running, updated: .t(10))
        let second = ScanUpdate.make(status: .completed, updated: .t(20))
        #expect(try await database.state.acceptDelivery(key: "k", window: .seconds(3600), updates: [first]) != .duplicate)
        #expect(try await database.state.acceptDelivery(key: "k", window: .seconds(3600), updates: [second]) == .duplicate)
        try database.inspect { try $0.execute("UPDATE deliveries SET claimed_at = now() - interval '2 hours'") }
        let again = try await database.state.acceptDelivery(key: "k", window: .seconds(3600), updates: [second])
        guard case .accepted(let applied, _) = again, case .changed(_, let scan) = applied.first?.outcome else {
            Issue.record("an expired key was taken for a duplicate: \(again)")
            return
        }
        #expect(scan.status == .completed && scan.revision == 2)
        // Claimed anew: a duplicate again within the window.
        #expect(try await database.state.acceptDelivery(key: "k", window: .seconds(3600), updates: [second]) == .duplicate)
        // Retention then deletes only keys past the window.
        try database.inspect { try $0.execute("INSERT INTO deliveries VALUES ('old-1', now() - interval '3 hours'), ('old-2', now() - interval '2 hours')") }
        #expect(try await database.state.pruneDeliveries(olderThan: .seconds(3600), batch: 1) == 2)
        #expect(try database.count("deliveries") == 1)
    }

    @Test func interleavedCommitsGiveGapFreeAscendingEventIds_ToAReaderFollowingAlong() async throws {
        let database = try await TestDatabase.make(replicas: 2)
        defer { database.close() }
        let deliveries = 120
        let reader = Task { () -> [UInt64] in
            var seen: [UInt64] = []
            var cursor: UInt64 = 0
            for _ in 0..<2000 where seen.count < deliveries {
                let page = try await database.replicas[1].events(after: cursor, limit: 50)
                seen += page.events.map(\.id)
                cursor = page.events.last?.id ?? cursor
                try await Task.sleep(for: .milliseconds(5))
            }
            return seen
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<deliveries {
                let replica = database.replicas[index % 2]
                group.addTask {
                    let update = ScanUpdate.make(upstreamId: "scan-\(index)", status: .completed, created: .t(Double(index)), updated: .t(100))
                    _ = try await replica.acceptDelivery(key: "delivery-\(index)", window: .seconds(3600), updates: [update])
                }
            }
            try await group.waitForAll()
        }
        let seen = try await reader.value
        #expect(seen == Array(1...UInt64(deliveries)))
    }

    @Test func aDeliveryMergesLikeTheMemoryStore_AndStoresTheScanExactly() async throws {
        let database = try await TestDatabase.make()
        defer { database.close() }
        let running = ScanUpdate.make(status: .running, created: .t(0.123_456_789), updated: .t(10.5), raw: #"{"n":1}"#)
        let completed = ScanUpdate.make(status: .completed, updated: .t(20.000_000_3), critical: 4, raw: #"{"n":2}"#)
        let stale = ScanUpdate.make(status: .running, updated: .t(15), raw: #"{"n":3}"#)
        let outcome = try await database.state.acceptDelivery(key: "batch", window: .seconds(60), updates: [running, completed, stale])
        guard case .accepted(let applied, _) = outcome else {
            Issue.record("not accepted")
            return
        }
        #expect(applied.map(\.event?.id) == [1, 2, nil])
        #expect(applied.map(\.event?.type) == ["scan.updated", "scan.completed", nil])
        guard case .unchanged(let final) = applied[2].outcome else {
            Issue.record("a stale update changed the scan")
            return
        }
        let memory = ScanStore()
        let now = final.updatedAt
        var expected = memory.apply(running, now: now).scan
        expected = memory.apply(completed, now: now).scan
        #expect(final == expected)
        let stored = try #require(try await database.state.scan(id: final.id))
        #expect(stored == final)
        #expect(stored.raw == Array(#"{"n":2}"#.utf8))
        #expect(stored.createdAt.timeIntervalSinceReferenceDate.bitPattern == Date.t(0.123_456_789).timeIntervalSinceReferenceDate.bitPattern)
        #expect(stored.completedAt == .t(20.000_000_3))
        #expect(stored.isCreatedAtUpstream)
        let event = try await database.state.events(after: 1, limit: 10)
        #expect(event.events.map(\.id) == [2] && !event.missedEvents)
        #expect(event.events.first?.payload == ScanJSON.encodeEvent(type: "scan.completed", scan: applied[1].outcome.scan!))
    }

    @Test func retentionRunByEveryReplicaAtOnceDeletesEachExpiredKeyOnce_AndKeepsTheLiveOnes() async throws {
        let database = try await TestDatabase.make(replicas: 3)
        defer { database.close() }
        try database.inspect { connection in
            try connection.execute("""
                INSERT INTO deliveries (key, claimed_at)
                SELECT 'old-' || n, now() - interval '4 days' FROM generate_series(1, 2500) n
                UNION ALL SELECT 'live-' || n, now() - interval '1 hour' FROM generate_series(1, 50) n
                """)
        }
        let deleted = try await withThrowingTaskGroup(of: Int.self) { group in
            for replica in database.replicas {
                group.addTask { try await replica.pruneDeliveries(olderThan: .seconds(72 * 3600), batch: 100) }
            }
            return try await group.reduce(0, +)
        }
        #expect(deleted == 2500)
        #expect(try database.count("deliveries") == 50)
    }

    @Test func eventsPastRetentionAreReportedMissed() async throws {
        let database = try await TestDatabase.make()
        defer { database.close() }
        for index in 0..<5 {
            _ = try await database.state.appendEvent(type: "watch.expired", payload: Array("{\"n\":\(index)}".utf8))
        }
        try database.inspect { try $0.execute("UPDATE events SET created_at = now() - interval '2 days'") }
        #expect(try await database.state.pruneEvents(keepLast: 2, olderThan: .seconds(86_400), batch: 2) == 3)
        let fromStart = try await database.state.events(after: 0)
        #expect(fromStart.missedEvents && fromStart.events.map(\.id) == [4, 5])
        let fromKept = try await database.state.events(after: 3)
        #expect(!fromKept.missedEvents && fromKept.events.map(\.id) == [4, 5])
        let beyond = try await database.state.events(after: 9)
        #expect(beyond.missedEvents && beyond.lastId == 5)
    }
}
