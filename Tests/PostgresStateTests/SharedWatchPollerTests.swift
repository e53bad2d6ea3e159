import Foundation
import Polling
import Postgres
import PostgresState
import Providers
import ScanCore
import Testing

/// Two replicas' pollers over one database (each its own pool and lease owner), polling a counting upstream: the
/// failure cases of the scale-out note for watches.
@Suite struct SharedWatchPollerTests {
    private func createWatch(_ store: PostgresWatchStore, scanId: String) async throws -> Watch {
        try await store.create(WatchRequest(source: "yandex-prod", ref: .yandexScan(scanResultId: scanId)))
    }

    @Test func twoReplicasPollEveryDueWatchOncePerDueTime_WithDisjointLeases() async throws {
        let database = try await TestDatabase.make(replicas: 2)
        defer { database.close() }
        // Each scan completes at its second poll, so a watch is due twice; a third call would be a duplicate poll.
        let upstream = CountingUpstream(completeOnCall: 2)
        let policy = SharedPolling.policy(requestTimeout: .seconds(2))
        let creator = PostgresWatchStore(database: database.state, owner: "api", policy: policy)
        let scanIds = (0..<40).map { String(format: "crpscan%03d", $0) }
        for scanId in scanIds { _ = try await createWatch(creator, scanId: scanId) }

        let a = SharedPolling.start(owner: "replica-a", database: database.replicas[0], upstream: upstream, policy: policy)
        let b = SharedPolling.start(owner: "replica-b", database: database.replicas[1], upstream: upstream, policy: policy)
        let allDone = try await SharedPolling.eventually(within: 60) {
            try await creator.list(state: .done, limit: 1000)?.watches.count == scanIds.count
        }
        await a.stop()
        await b.stop()

        #expect(allDone)
        #expect(scanIds.filter { upstream.calls($0) != 2 }.isEmpty, "every watch polled exactly at its two due times")
        #expect(upstream.totalCalls == 2 * scanIds.count)
        let watches = try #require(try await creator.list(limit: 1000)).watches
        #expect(watches.allSatisfy { $0.state == .done && $0.polls == 2 && $0.scanId == "yandex-prod:\($0.ref.upstreamId ?? "")" })
        // Both replicas wrote: every finish either made accepted, none refused.
        let finishes = a.replica.finishes + b.replica.finishes
        #expect(finishes.count == 2 * scanIds.count && finishes.allSatisfy { $0 != nil })
        #expect(a.kept.all.count + b.kept.all.count == 2 * scanIds.count)
        #expect(try await database.state.scan(id: "yandex-prod:crpscan000")?.status == .completed)
    }

    @Test func aReplicaKilledMidPollHasItsWatchTakenOverAfterTheLease() async throws {
        let database = try await TestDatabase.make(replicas: 2)
        defer { database.close() }
        let upstream = CountingUpstream(completeOnCall: 1)
        let policy = SharedPolling.policy()
        let creator = PostgresWatchStore(database: database.state, owner: "api", policy: policy)
        upstream.hold("crpkilled")
        let watch = try await createWatch(creator, scanId: "crpkilled")

        let a = SharedPolling.start(owner: "replica-a", database: database.replicas[0], upstream: upstream, policy: policy)
        #expect(try await SharedPolling.eventually { upstream.calls("crpkilled") == 1 })
        // kill -9: replica a's poll hangs and nothing of a reaches the database again (no renewal, no release).
        a.replica.kill()
        upstream.releaseAll()
        await a.stop()
        #expect(try await creator.watch(id: watch.id)?.state == .polling, "still leased to the dead replica")

        let b = SharedPolling.start(owner: "replica-b", database: database.replicas[1], upstream: upstream, policy: policy)
        let done = try await SharedPolling.eventually { try await creator.watch(id: watch.id)?.state == .done }
        await b.stop()

        #expect(done)
        #expect(upstream.calls("crpkilled") == 2)
        #expect(a.replica.finishes.isEmpty && b.replica.finishes.count == 1)
        let ended = try #require(try await creator.watch(id: watch.id))
        #expect(ended.polls == 1 && ended.scanId == "yandex-prod:crpkilled" && ended.lastError == nil)
        #expect(try await database.state.scan(id: "yandex-prod:crpkilled")?.findings?.critical == 2, "b's poll (the 2nd call) kept")
    }

    @Test func aReplicaPausedPastItsLease_ChangesNothingWhenItResumes() async throws {
        let database = try await TestDatabase.make(replicas: 2)
        defer { database.close() }
        let upstream = CountingUpstream(completeOnCall: 1)
        let policy = SharedPolling.policy()
        let creator = PostgresWatchStore(database: database.state, owner: "api", policy: policy)
        upstream.hold("crppaused")
        let watch = try await createWatch(creator, scanId: "crppaused")

        let a = SharedPolling.start(owner: "replica-a", database: database.replicas[0], upstream: upstream, policy: policy)
        #expect(try await SharedPolling.eventually { upstream.calls("crppaused") == 1 })
        // kill -STOP: a's poll is stuck and a does nothing more (no renewal, no lease); its lease lapses.
        a.replica.pause()
        let b = SharedPolling.start(owner: "replica-b", database: database.replicas[1], upstream: upstream, policy: policy)
        let takenOver = try await SharedPolling.eventually { upstream.calls("crppaused") == 2 }
        let bDone = try await SharedPolling.eventually { try await creator.watch(id: watch.id)?.state == .done }
        let afterB = try #require(try database.inspect { connection in
            try connection.execute("SELECT lease_epoch, document FROM watches WHERE id = $1", [PostgresValue(watch.id)]).rows.first
        })
        // kill -CONT: a's poll comes back. Whichever a does first, it changes nothing: its scan and its finish are
        // refused, or its lease renewal is refused and the poll is dropped (which comes first is a race of two of a's
        // own loops, and either is right). The row stays as b left it.
        let renewalsBeforeResume = a.replica.renewals.count
        upstream.releaseAll()
        a.replica.resume()
        let aNoticed = try await SharedPolling.eventually {
            a.replica.finishes.count == 1 || a.replica.renewals.dropFirst(renewalsBeforeResume).contains(false)
        }
        await a.stop()
        await b.stop()

        #expect(takenOver && bDone && aNoticed)
        #expect(a.replica.finishes.allSatisfy { $0 == nil }, "a finish of a's was taken: \(a.replica.finishes)")
        #expect(a.kept.all.allSatisfy { $0 == .fenceLost }, "a scan of a's was kept: \(a.kept.all)")
        #expect(!a.replica.renewals.dropFirst(renewalsBeforeResume).contains(true), "a's lapsed lease was renewed")
        #expect(b.replica.finishes.count == 1 && b.replica.finishes[0]?.state == .done)
        let row = try #require(try database.inspect { connection in
            try connection.execute("SELECT lease_epoch, document FROM watches WHERE id = $1", [PostgresValue(watch.id)]).rows.first
        })
        #expect(try row.int64(0) == afterB.int64(0) && row.bytes(1) == afterB.bytes(1))
        #expect(try await database.state.scan(id: "yandex-prod:crppaused")?.findings?.critical == 2, "b's result, not a's")
    }

    @Test func aCancelledWatchsPollInFlightCannotWrite() async throws {
        let database = try await TestDatabase.make()
        defer { database.close() }
        let upstream = CountingUpstream(completeOnCall: 1)
        let policy = SharedPolling.policy()
        let store = PostgresWatchStore(database: database.state, owner: "api", policy: policy)
        upstream.hold("crpcancel")
        let watch = try await createWatch(store, scanId: "crpcancel")

        let a = SharedPolling.start(owner: "replica-a", database: database.state, upstream: upstream, policy: policy)
        #expect(try await SharedPolling.eventually { upstream.calls("crpcancel") == 1 })
        let cancelled = try #require(try await store.cancel(id: watch.id))
        #expect(cancelled.state == .cancelled && cancelled.nextPollAt == nil)
        upstream.releaseAll()
        // The poll ends one way or the other: its renewal is refused (the poll is cancelled, nothing written), or its
        // result comes back first and is refused with its finish.
        let ended = try await SharedPolling.eventually { await a.poller.pollsInFlight == 0 }
        await a.stop()

        #expect(ended)
        #expect(a.replica.finishes.allSatisfy { $0 == nil })
        #expect(a.kept.all.allSatisfy { $0 == .fenceLost })
        let after = try #require(try await store.watch(id: watch.id))
        #expect(after.state == .cancelled && after.polls == 0 && after.scanId == nil)
        #expect(try await database.state.scan(id: "yandex-prod:crpcancel") == nil)
        #expect(upstream.calls("crpcancel") == 1, "a cancelled watch is not leased again")
        #expect(try await store.cancel(id: watch.id)?.state == .cancelled)
        #expect(try await store.cancel(id: "w_none") == nil)
    }

    @Test func aReplicaStoppedMidPollGivesItsLeaseBack_SoAnotherPollsWithoutWaitingForIt() async throws {
        let database = try await TestDatabase.make(replicas: 2)
        defer { database.close() }
        let upstream = CountingUpstream(completeOnCall: 1)
        // A lease of 30 s: the watch is taken over well before it could lapse only if it was given back.
        let policy = SharedPolling.policy(requestTimeout: .seconds(10))
        let creator = PostgresWatchStore(database: database.state, owner: "api", policy: policy)
        upstream.hold("crpstopped")
        let watch = try await createWatch(creator, scanId: "crpstopped")

        let a = SharedPolling.start(owner: "replica-a", database: database.replicas[0], upstream: upstream, policy: policy)
        #expect(try await SharedPolling.eventually { upstream.calls("crpstopped") == 1 })
        #expect(try await creator.watch(id: watch.id)?.state == .polling, "leased by a, whose poll is in flight")
        await a.stop()
        // Given back before its first poll ended: listed (and counted) as waiting again, as before the lease.
        #expect(try await creator.watch(id: watch.id)?.state == .waiting)
        #expect(try await creator.list(state: .polling)?.watches.isEmpty == true)
        #expect(try await creator.countsByState() == [.waiting: 1])
        let b = SharedPolling.start(owner: "replica-b", database: database.replicas[1], upstream: upstream, policy: policy)
        let done = try await SharedPolling.eventually(within: 15) { try await creator.watch(id: watch.id)?.state == .done }
        await b.stop()

        #expect(done)
        #expect(upstream.calls("crpstopped") == 2)
        #expect(a.replica.finishes.isEmpty && a.kept.all.isEmpty)
        let ended = try #require(try await creator.watch(id: watch.id))
        #expect(ended.polls == 1 && ended.lastError == nil, "the stopped poll counted no failure")
    }

    @Test func aHintMakesTheWatchesFollowingItDueNowOnEveryReplica_AndPollsOnceAScanNoWatchFollows() async throws {
        let database = try await TestDatabase.make(replicas: 2)
        defer { database.close() }
        let upstream = CountingUpstream(completeOnCall: 1)
        var policy = SharedPolling.policy()
        policy.unknownSize = .init(min: .seconds(3600), max: .seconds(3600))
        let creator = PostgresWatchStore(database: database.state, owner: "api", policy: policy)
        let watch = try await createWatch(creator, scanId: "crphinted")
        let a = SharedPolling.start(owner: "replica-a", database: database.replicas[0], upstream: upstream, policy: policy)
        let b = SharedPolling.start(owner: "replica-b", database: database.replicas[1], upstream: upstream, policy: policy)

        // Due in an hour; the hint arrives at b, and whichever replica leases first polls it.
        #expect(await b.poller.refetchNow(.yandexScan(scanResultId: "crphinted"), source: "yandex-prod"))
        let done = try await SharedPolling.eventually { try await creator.watch(id: watch.id)?.state == .done }
        #expect(await b.poller.refetchNow(.yandexScan(scanResultId: "crpnowatch"), source: "yandex-prod"))
        let kept = try await SharedPolling.eventually { try await database.state.scan(id: "yandex-prod:crpnowatch") != nil }
        #expect(await !b.poller.refetchNow(.yandexScan(scanResultId: "x"), source: "no-such-source"))
        #expect(await !b.poller.refetchNow(.opsmx(projectId: "p", scanId: "s", type: "image"), source: "yandex-prod"))
        await a.stop()
        await b.stop()

        #expect(done && kept)
        #expect(upstream.calls("crphinted") == 1 && upstream.calls("crpnowatch") == 1)
        #expect(b.kept.all.contains { if case .kept(let applied) = $0 { applied.outcome.scan?.id == "yandex-prod:crpnowatch" } else { false } })
        #expect(try database.count("watches") == 1)
    }
}
