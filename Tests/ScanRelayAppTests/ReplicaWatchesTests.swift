import FakeUpstreams
import Foundation
import Postgres
import ProviderFixtures
import Testing
import ThrowawayPostgres

/// Watches shared by replicas (`state.postgres`), as real processes against a fake Binarly over real sockets: a
/// watch created on one is read and polled by whichever replica leases its due poll; a replica killed mid-poll
/// leaves it to the other after the lease; a replica stopped past its lease and resumed cannot overwrite what the
/// other wrote.
@Suite("Replicas sharing watches", .serialized)
struct ReplicaWatchesTests {
    /// Polls every ~200 ms; a lease of 3 × the 4 s request timeout.
    static func config(postgres: String, binarly: URL, harbor: URL) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("scanrelay-watches-\(UUID().uuidString).yaml")
        try """
            limits: { shutdownGrace: 2s }
            state: { postgres: "\(postgres)" }
            poll:
              unknownSize: { min: 100ms, max: 200ms }
              interval: { min: 100ms, max: 200ms }
              backoff: { base: 100ms, max: 200ms }
              requestTimeout: 4s
            sources:
              - name: binarly
                provider: binarly
                upstream: { baseURL: "\(binarly.absoluteString)", auth: { bearer: binarly-token } }
                webhook: { verify: none }
              - name: harbor
                provider: harbor
                upstream:
                  baseURL: "\(harbor.absoluteString)"
                  auth: { basic: { username: "robot$library+scanrelay", password: harbor-secret } }
                webhook: { verify: none }
            """.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    struct Setup {
        let fake: FakeBinarly
        let harbor: FakeHarbor
        let replicas: [ReplicasTests.Replica]
        let pool: PostgresPool
    }

    static func withReplicas(_ body: (Setup) async throws -> Void) async throws {
        let fake = FakeBinarly()
        let url = try await fake.start()
        defer { fake.stop() }
        let harbor = FakeHarbor(secret: "harbor-secret")
        let harborURL = try await harbor.start()
        defer { harbor.stop() }
        let postgres = try await ThrowawayPostgres.freshDatabase()
        let config = try config(postgres: postgres, binarly: url, harbor: harborURL)
        defer { try? FileManager.default.removeItem(at: config) }
        var replicas: [ReplicasTests.Replica] = []
        let pool = PostgresPool(try ConnectionSettings(postgres), configuration: .init(size: 1))
        defer { pool.close() }
        do {
            for _ in 0..<2 { replicas.append(try await ReplicasTests.start(config)) }
            for replica in replicas { try await ReplicasTests.awaitReady(replica) }
            try await body(Setup(fake: fake, harbor: harbor, replicas: replicas, pool: pool))
        } catch {
            for replica in replicas {
                replica.process.signal(SIGCONT)
                _ = try? await replica.process.stop()
            }
            throw error
        }
        for replica in replicas {
            replica.process.signal(SIGCONT)
            _ = try? await replica.process.stop()
        }
    }

    static func createWatch(on replica: ReplicasTests.Replica, imageId: String) async throws -> String {
        let body = #"{"source": "binarly", "ref": {"productId": "p1", "imageId": "\#(imageId)"}}"#
        let created = try await httpRequest(
            port: replica.port, "POST", "/v1/watches", headers: [("Content-Type", "application/json")], body: Array(body.utf8))
        #expect(created.status == 201, "\(created.text)")
        return try #require(created.json["id"] as? String)
    }

    static func watch(_ id: String, on replica: ReplicasTests.Replica) async throws -> [String: Any] {
        try await httpRequest(port: replica.port, "GET", "/v1/watches/\(id)").json
    }

    /// Waits (bounded by `seconds`) until `condition` holds for the watch as `replica` serves it.
    static func awaitWatch(
        _ id: String, on replica: ReplicasTests.Replica, seconds: Int, _ condition: ([String: Any]) -> Bool
    ) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + .seconds(seconds)
        var last: [String: Any] = [:]
        while ContinuousClock.now < deadline {
            last = try await watch(id, on: replica)
            if condition(last) { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        return last
    }

    /// The pid in the lease owner (`host/pid/random`) of the watch, once it is leased.
    static func leaseHolder(_ id: String, pool: PostgresPool, seconds: Int = 15) async throws -> Int32? {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            let owner = try await pool.withConnection { connection in
                try connection.execute(
                    "SELECT lease_owner FROM watches WHERE id = $1 AND lease_until > now()", [PostgresValue(id)]
                ).rows.first?.optionalString(0)
            }
            if let owner, let pid = owner.split(separator: "/").dropFirst().first.flatMap({ Int32($0) }) { return pid }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    @Test func aWatchCreatedOnOne_IsServedByTheOther_AndEndsDoneWithItsScan() async throws {
        try await Self.withReplicas { setup in
            let scanId = setup.fake.addScan(productId: "p1", imageId: "i1", FakeScan(runningPolls: 2))
            let id = try await Self.createWatch(on: setup.replicas[0], imageId: "i1")
            #expect(try await Self.watch(id, on: setup.replicas[1])["id"] as? String == id)
            let done = try await Self.awaitWatch(id, on: setup.replicas[1], seconds: 30) { $0["state"] as? String == "done" }
            #expect(done["state"] as? String == "done")
            #expect(done["scanId"] as? String == "binarly:\(scanId)")
            let scan = try await httpRequest(port: setup.replicas[0].port, "GET", "/v1/scans/binarly:\(scanId)")
            #expect(scan.json["status"] as? String == "completed")
            let listed = try await httpRequest(port: setup.replicas[0].port, "GET", "/v1/watches?state=done")
            #expect((listed.json["watches"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [id])
        }
    }

    /// A replica learns as it commits a delivery whether any watch follows its scans (usually none, and then it asks
    /// nothing more); one that is followed ends the watch, whichever replica created it. Harbor's scan here stays
    /// running for every poll: only the webhook can end the watch.
    @Test func aHarborWebhookOnOne_EndsTheWatchCreatedOnTheOther() async throws {
        try await Self.withReplicas { setup in
            let fixture = try ProviderFixtures.bytes("harbor-default-scanning-completed")
            let resource = try #require(
                ((try JSONSerialization.jsonObject(with: Data(fixture)) as? [String: Any])?["event_data"] as? [String: Any])
                    .flatMap { $0["resources"] as? [[String: Any]] }?.first)
            let digest = try #require(resource["digest"] as? String)
            setup.harbor.addProject("library")
            setup.harbor.addArtifact(repository: "library/node", digest: digest, tags: ["latest"], scan: FakeScan(runningPolls: 100_000))
            let body = #"{"source": "harbor", "ref": {"repository": "library/node", "reference": "\#(digest)"}}"#
            let created = try await httpRequest(
                port: setup.replicas[0].port, "POST", "/v1/watches", headers: [("Content-Type", "application/json")], body: Array(body.utf8))
            let id = try #require(created.json["id"] as? String, "\(created.text)")
            _ = try await Self.awaitWatch(id, on: setup.replicas[0], seconds: 10) { ($0["polls"] as? Int ?? 0) >= 1 }

            let delivered = try await httpRequest(
                port: setup.replicas[1].port, "POST", "/v1/webhooks/harbor", headers: [("Content-Type", "application/json")], body: fixture)
            #expect(delivered.status == 202, "\(delivered.text)")
            let done = try await Self.awaitWatch(id, on: setup.replicas[0], seconds: 10) { $0["state"] as? String == "done" }
            #expect(done["state"] as? String == "done", "\(done)")
            #expect((done["scanId"] as? String)?.hasPrefix("harbor:") == true)
        }
    }

    @Test func aReplicaKilledMidPoll_LeavesTheWatchToTheOther_AfterTheLease() async throws {
        try await Self.withReplicas { setup in
            setup.fake.addScan(productId: "p1", imageId: "i2", FakeScan(runningPolls: 0))
            // The first poll hangs (past the request timeout): the replica holding it is killed while it waits.
            setup.fake.core.inject(.slow(.seconds(30)))
            let id = try await Self.createWatch(on: setup.replicas[0], imageId: "i2")
            let holder = try #require(try await Self.leaseHolder(id, pool: setup.pool))
            let victim = try #require(setup.replicas.first { $0.process.processID == holder })
            let survivor = try #require(setup.replicas.first { $0.process.processID != holder })
            victim.process.signal(SIGKILL)
            let done = try await Self.awaitWatch(id, on: survivor, seconds: 40) { $0["state"] as? String == "done" }
            #expect(done["state"] as? String == "done", "the survivor took the watch over: \(done)")
        }
    }

    @Test func aReplicaStoppedPastItsLease_CannotOverwriteTheOne_ThatTookItOver() async throws {
        try await Self.withReplicas { setup in
            let scanId = setup.fake.addScan(productId: "p1", imageId: "i3", FakeScan(runningPolls: 0))
            setup.fake.core.inject(.slow(.seconds(2)))
            let id = try await Self.createWatch(on: setup.replicas[0], imageId: "i3")
            let holder = try #require(try await Self.leaseHolder(id, pool: setup.pool))
            let paused = try #require(setup.replicas.first { $0.process.processID == holder })
            let other = try #require(setup.replicas.first { $0.process.processID != holder })
            paused.process.signal(SIGSTOP)
            // The lease (12 s) passes; the other replica polls and ends the watch.
            let done = try await Self.awaitWatch(id, on: other, seconds: 40) { $0["state"] as? String == "done" }
            #expect(done["state"] as? String == "done")
            let row = try await setup.pool.withConnection { connection in
                try connection.execute("SELECT state, lease_epoch, document FROM watches WHERE id = $1", [PostgresValue(id)])
                    .single("watch").values
            }
            // Resumed, the paused replica's poll comes back (or times out) and tries to write: refused by the fence.
            paused.process.signal(SIGCONT)
            try await Task.sleep(for: .seconds(3))
            let after = try await setup.pool.withConnection { connection in
                try connection.execute("SELECT state, lease_epoch, document FROM watches WHERE id = $1", [PostgresValue(id)])
                    .single("watch").values
            }
            #expect(after == row, "the resumed replica changed nothing")
            let served = try await Self.watch(id, on: paused)
            #expect(served["state"] as? String == "done")
            #expect(served["scanId"] as? String == "binarly:\(scanId)")
        }
    }
}
