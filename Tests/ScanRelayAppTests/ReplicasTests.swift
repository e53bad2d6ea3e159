import Foundation
import Postgres
import Locking
import Testing
import ThrowawayPostgres

/// Several `scanrelay serve` processes sharing one real PostgreSQL (`state.postgres`), as replicas behind one Service:
/// a delivery accepted by one is a duplicate on all, a scan written by one is served (and listed) by all, a long-poll
/// on one wakes on a change made by another, and a database that cannot be reached makes a replica unready and its
/// changes refused at once — never acknowledged.
@Suite("Replicas sharing PostgreSQL", .serialized)
struct ReplicasTests {
    /// A replica: the process and its port.
    struct Replica {
        let process: StreamedProcess
        let port: Int
    }

    static func config(postgres: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("scanrelay-replica-\(UUID().uuidString).yaml")
        try """
            limits: { shutdownGrace: 2s }
            state: { postgres: "\(postgres)" }
            sources:
              - { name: relay, provider: scanrelay, webhook: { verify: none } }
            """.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    static func start(_ config: URL) async throws -> Replica {
        let (process, port) = try await StreamedProcess.serve(["--config", config.path])
        return Replica(process: process, port: port)
    }

    /// Waits (bounded) until `/readyz` answers 200: the replica reached the database and follows its events.
    static func awaitReady(_ replica: Replica) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if try await httpRequest(port: replica.port, "GET", "/readyz").status == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("replica on port \(replica.port) never became ready: \(replica.process.errors.all)")
    }

    static func delivery(_ upstreamId: String, _ status: String, id: String) -> (headers: [(String, String)], body: [UInt8]) {
        let body = #"{"type":"scan.updated","data":{"upstreamId":"\#(upstreamId)","subject":{"imageId":"img-\#(upstreamId)"},"status":"\#(status)"}}"#
        return ([("Content-Type", "application/json"), ("webhook-id", id)], Array(body.utf8))
    }

    static func post(_ replica: Replica, _ delivery: (headers: [(String, String)], body: [UInt8])) async throws -> TestResponse {
        try await httpRequest(port: replica.port, "POST", "/v1/webhooks/relay", headers: delivery.headers, body: delivery.body)
    }

    /// Two ready replicas on a fresh database; both stopped (SIGTERM) after `body`, even when it throws.
    static func withTwoReplicas(_ body: (Replica, Replica, String) async throws -> Void) async throws {
        let postgres = try await ThrowawayPostgres.freshDatabase()
        let config = try config(postgres: postgres)
        defer { try? FileManager.default.removeItem(at: config) }
        let a = try await start(config)
        let b: Replica
        do {
            b = try await start(config)
        } catch {
            _ = try? await a.process.stop()
            throw error
        }
        do {
            try await awaitReady(a)
            try await awaitReady(b)
            try await body(a, b, postgres)
        } catch {
            _ = try? await a.process.stop()
            _ = try? await b.process.stop()
            throw error
        }
        try await a.process.expectCleanStop()
        try await b.process.expectCleanStop()
    }

    @Test func aDeliveryAcceptedByOne_IsADuplicateOnTheOther_AndServedAndListedByBoth() async throws {
        try await Self.withTwoReplicas { a, b, _ in
            let first = Self.delivery("u1", "running", id: "msg-1")
            #expect(try await Self.post(a, first).status == 202)
            let again = try await Self.post(b, first)
            #expect(again.status == 200, "the same delivery on the other replica is a duplicate")
            #expect(again.json["duplicate"] as? Bool == true)

            let onB = try await httpRequest(port: b.port, "GET", "/v1/scans/relay:u1")
            #expect(onB.status == 200)
            #expect(onB.json["status"] as? String == "running")
            let listed = try await httpRequest(port: b.port, "GET", "/v1/scans?source=relay")
            let ids = (listed.json["scans"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
            #expect(ids == ["relay:u1"])
        }
    }

    @Test func concurrentDuplicatesOnBothReplicas_AreAcceptedOnce_WithOneEvent() async throws {
        try await Self.withTwoReplicas { a, b, postgres in
            let delivery = Self.delivery("u2", "completed", id: "msg-concurrent")
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<10 {
                    let replica = index % 2 == 0 ? a : b
                    group.addTask { try await Self.post(replica, delivery).status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 202 }.count == 1, "statuses: \(statuses)")
            #expect(statuses.filter { $0 == 200 }.count == 9, "statuses: \(statuses)")
            let pool = PostgresPool(try ConnectionSettings(postgres), configuration: .init(size: 1))
            defer { pool.close() }
            let events = try await pool.withConnection { connection in
                try connection.execute("SELECT count(*) FROM events WHERE scan_id = 'relay:u2'").single("count").int64(0)
            }
            #expect(events == 1)
        }
    }

    @Test func aLongPollOnOneReplica_WakesOnAChangeMadeByTheOther() async throws {
        try await Self.withTwoReplicas { a, b, _ in
            #expect(try await Self.post(a, Self.delivery("u3", "running", id: "msg-3a")).status == 202)
            // B reads the scan first (its cache then holds it), then waits for a change.
            let seen = try await httpRequest(port: b.port, "GET", "/v1/scans/relay:u3")
            let etag = try #require(seen.header("ETag"))
            async let held = httpRequest(
                port: b.port, "GET", "/v1/scans/relay:u3?wait=60s", headers: [("If-None-Match", etag)])
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await Self.post(a, Self.delivery("u3", "completed", id: "msg-3b")).status == 202)
            let answer = try await held
            #expect(answer.status == 200)
            #expect(answer.json["status"] as? String == "completed", "woken by A's change, not by the 60 s deadline")
        }
    }

    @Test func eventsKeepTheirIdsOnEveryReplica_AndResumeOnTheOther() async throws {
        try await Self.withTwoReplicas { a, b, _ in
            for (index, upstreamId) in ["e1", "e2", "e3"].enumerated() {
                let replica = index == 1 ? b : a
                #expect(try await Self.post(replica, Self.delivery(upstreamId, "running", id: "msg-e\(index)")).status == 202)
            }
            // A stream on B from the start sees all three, in commit order, with the database's ids.
            let fromStart = try await SSEClient.connect(port: b.port, lastEventId: "0")
            var seen: [(id: String?, scan: String)] = []
            while seen.count < 3, let frame = try await fromStart.nextEvent() {
                let data = try JSONSerialization.jsonObject(with: Data((frame.data ?? "").utf8)) as? [String: Any]
                seen.append((frame.id, (data?["scan"] as? [String: Any])?["upstreamId"] as? String ?? "?"))
            }
            #expect(seen.map(\.scan) == ["e1", "e2", "e3"])
            let ids = seen.compactMap { $0.id.flatMap { UInt64($0) } }
            #expect(ids.count == 3 && zip(ids, ids.dropFirst()).allSatisfy { $1 == $0 + 1 }, "gap-free ids: \(ids)")
            // A client that read the first event from A resumes on B after it.
            let resumed = try await SSEClient.connect(port: b.port, lastEventId: String(ids[0]))
            let next = try await resumed.nextEvent()
            #expect(next?.id == String(ids[1]))
        }
    }

    @Test func theListenConnectionKilled_LosesNoChange() async throws {
        try await Self.withTwoReplicas { a, b, postgres in
            let pool = PostgresPool(try ConnectionSettings(postgres), configuration: .init(size: 1))
            defer { pool.close() }
            let killed = try await pool.withConnection { connection in
                try connection.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query ILIKE 'LISTEN%' AND datname = current_database()"
                ).single("count").int64(0)
            }
            #expect(killed == 2, "one LISTEN connection per replica")
            #expect(try await Self.post(a, Self.delivery("u4", "completed", id: "msg-4")).status == 202)
            let deadline = ContinuousClock.now + .seconds(15)
            var lastEvent = 0
            while ContinuousClock.now < deadline, lastEvent == 0 {
                let events = try await httpRequest(port: b.port, "GET", "/metrics")
                lastEvent = events.text.contains("scanrelay_cached_scans 1") ? 1 : 0
                if lastEvent == 0 { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(lastEvent == 1, "B's cache got A's change through the feed after its LISTEN connection died")
        }
    }

    /// Deliveries keep coming while the database restarts: each is answered within its deadline, `202` only when
    /// stored (then served by the other replica, with exactly one event), `503` otherwise; both replicas take
    /// deliveries again afterwards without being restarted.
    @Test func theDatabaseRestartedUnderLoad_GivesBounded503s_AndNothingAcknowledgedIsLost() async throws {
        let server = try await ThrowawayPostgres.privateServer()
        do {
            let config = try Self.config(postgres: server.connectionString)
            defer { try? FileManager.default.removeItem(at: config) }
            let a = try await Self.start(config), b = try await Self.start(config)
            try await Self.awaitReady(a)
            try await Self.awaitReady(b)
            let results = Locked<[(id: String, status: Int)]>([])
            let load = Task {
                for index in 0..<400 where !Task.isCancelled {
                    let id = "r\(index)"
                    let status = (try? await Self.post(index % 2 == 0 ? a : b, Self.delivery(id, "completed", id: "msg-\(id)")).status) ?? 0
                    results.withLock { $0.append((id, status)) }
                    try? await Task.sleep(for: .milliseconds(10))
                }
            }
            try await Task.sleep(for: .milliseconds(500))
            try await server.restart()
            await load.value
            let answered = results.withLock { $0 }
            let accepted = answered.filter { $0.status == 202 }.map(\.id)
            #expect(answered.allSatisfy { $0.status == 202 || $0.status == 503 }, "\(answered.filter { $0.status != 202 && $0.status != 503 })")
            #expect(!accepted.isEmpty)

            // Both take deliveries again, without a restart of their own.
            for replica in [a, b] {
                let deadline = ContinuousClock.now + .seconds(30)
                var status = 0
                while status != 202, ContinuousClock.now < deadline {
                    status = try await Self.post(replica, Self.delivery("after-\(replica.port)", "running", id: "after-\(replica.port)")).status
                    if status != 202 { try await Task.sleep(for: .milliseconds(200)) }
                }
                #expect(status == 202)
            }
            let pool = PostgresPool(try ConnectionSettings(server.connectionString), configuration: .init(size: 1))
            defer { pool.close() }
            let counts = try await pool.withConnection { connection in
                try connection.execute(
                    "SELECT scan_id, count(*) FROM events WHERE scan_id LIKE 'relay:r%' GROUP BY scan_id"
                ).rows.map { (try $0.string(0), try $0.int64(1)) }
            }
            let events = Dictionary(uniqueKeysWithValues: counts)
            for id in accepted {
                #expect(events["relay:\(id)"] == 1, "delivery \(id) was acknowledged: its scan has exactly one event")
            }
            let onB = try await httpRequest(port: b.port, "GET", "/v1/scans/relay:\(try #require(accepted.last))")
            #expect(onB.status == 200)
            try await a.process.expectCleanStop()
            try await b.process.expectCleanStop()
        } catch {
            try? await server.stop()
            throw error
        }
        try await server.stop()
    }

    /// A replica whose database went away under it still stops on SIGTERM within its grace (a replica once hung for
    /// good joining its pool), and the server's last words ("FATAL: terminating connection ...") never reach its
    /// standard error raw: libpq would print them there, beside the structured log.
    @Test func aReplicaWhoseDatabaseWentDown_StopsOnSIGTERM_AndPrintsNothingRaw() async throws {
        let server = try await ThrowawayPostgres.privateServer()
        do {
            let config = try Self.config(postgres: server.connectionString)
            defer { try? FileManager.default.removeItem(at: config) }
            let replica = try await Self.start(config)
            try await Self.awaitReady(replica)
            #expect(try await Self.post(replica, Self.delivery("d1", "running", id: "msg-d1")).status == 202)
            try await server.down()
            let refused = try await Self.post(replica, Self.delivery("d2", "running", id: "msg-d2"))
            #expect(refused.status == 503)
            // Unready within seconds: the refused write asks the feed for a read of the table at once.
            let deadline = ContinuousClock.now + .seconds(3)
            var ready = 200
            while ready != 503, ContinuousClock.now < deadline {
                ready = try await httpRequest(port: replica.port, "GET", "/readyz").status
                if ready != 503 { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(ready == 503, "still ready 3 s after its database went away")

            let status = try await withThrowingTaskGroup(of: Int32?.self) { group in
                group.addTask { try await replica.process.stop() }
                group.addTask {
                    try await Task.sleep(for: .seconds(20))
                    return nil
                }
                let first = try await group.next() ?? nil
                if first == nil { replica.process.signal(SIGKILL) }
                group.cancelAll()
                return first
            }
            #expect(status == 0, "SIGTERM did not stop the replica within 20 s: \(replica.process.errors.all.suffix(20))")
            let raw = replica.process.errors.all.filter { $0.hasPrefix("FATAL:") || $0.hasPrefix("ERROR:") || $0.hasPrefix("NOTICE:") }
            #expect(raw.isEmpty, "libpq printed to standard error: \(raw)")
        } catch {
            try? await server.stop()
            throw error
        }
        try await server.stop()
    }

    @Test func aDatabaseThatCannotBeReached_MakesTheReplicaUnready_AndRefusesChangesAtOnce() async throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("no-postgres-\(UUID().uuidString)").path
        let config = try Self.config(postgres: "host=\(missing) port=5432 user=postgres dbname=none connect_timeout=2")
        defer { try? FileManager.default.removeItem(at: config) }
        let replica = try await Self.start(config)
        #expect(try await httpRequest(port: replica.port, "GET", "/healthz").status == 200)
        let ready = try await httpRequest(port: replica.port, "GET", "/readyz")
        #expect(ready.status == 503)
        let started = ContinuousClock.now
        let refused = try await Self.post(replica, Self.delivery("u5", "running", id: "msg-5"))
        #expect(refused.status == 503)
        #expect(refused.header("Retry-After") != nil)
        #expect(ContinuousClock.now - started < .seconds(10), "refused within the request's deadline, not after a hang")
        #expect(!refused.text.contains(missing), "the refusal names no connection detail")
        try await replica.process.expectCleanStop()
    }
}
