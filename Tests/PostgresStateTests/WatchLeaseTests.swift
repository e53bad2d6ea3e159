import Foundation
import Postgres
import PostgresState
import ScanCore
import Testing

@Suite struct WatchLeaseTests {
    @Test func twoOwnersLeasingAtOnceGetDisjointWatches_EveryDueOneOnce() async throws {
        let database = try await TestDatabase.make(replicas: 2)
        defer { database.close() }
        for index in 0..<60 {
            #expect(try await database.state.createWatch(
                id: "w\(index)", source: "binarly-prod", state: "waiting", firstPollIn: .zero, document: Array("{\"i\":\(index)}".utf8)))
        }
        // Not due yet, and ended: neither is leased.
        _ = try await database.state.createWatch(id: "later", source: "binarly-prod", state: "waiting", firstPollIn: .seconds(3600), document: [])
        _ = try await database.state.createWatch(id: "ended", source: "binarly-prod", state: "done", firstPollIn: .zero, document: [])
        #expect(try await !database.state.createWatch(id: "w0", source: "x", state: "waiting", firstPollIn: .zero, document: []))

        let leased = try await withThrowingTaskGroup(of: (String, [LeasedWatch]).self) { group in
            for owner in ["replica-a", "replica-b"] {
                let replica = database.replicas[owner == "replica-a" ? 0 : 1]
                group.addTask {
                    var mine: [LeasedWatch] = []
                    for _ in 0..<100 {
                        let batch = try await replica.leaseDue(owner: owner, ttl: .seconds(60), limit: 4)
                        if batch.isEmpty { break }
                        mine += batch
                    }
                    return (owner, mine)
                }
            }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        let a = Set(leased["replica-a", default: []].map(\.watch.id))
        let b = Set(leased["replica-b", default: []].map(\.watch.id))
        #expect(a.isDisjoint(with: b))
        #expect(a.union(b) == Set((0..<60).map { "w\($0)" }))
        #expect(leased.values.joined().allSatisfy { $0.fence.epoch == 1 && $0.watch.leaseOwner != nil && $0.watch.leaseUntil != nil })
        #expect(try await database.state.leaseDue(owner: "replica-c", ttl: .seconds(60), limit: 100).isEmpty)
    }

    @Test func aStaleFencesWritesAreRefused_AfterAnotherOwnerTookTheLeaseOver() async throws {
        let database = try await TestDatabase.make(replicas: 2)
        defer { database.close() }
        let (a, b) = (database.replicas[0], database.replicas[1])
        _ = try await a.createWatch(id: "w", source: "harbor-prod", state: "waiting", firstPollIn: .zero, document: Array("{}".utf8))
        let first = try #require(try await a.leaseDue(owner: "a", ttl: .milliseconds(1), limit: 1).first)
        // Replica a is paused past its lease; b finds the watch due and leased by nobody alive.
        var second: LeasedWatch?
        for _ in 0..<100 where second == nil {
            try await Task.sleep(for: .milliseconds(10))
            second = try await b.leaseDue(owner: "b", ttl: .seconds(60), limit: 1).first
        }
        let taken = try #require(second)
        #expect(taken.fence.epoch == first.fence.epoch + 1)

        // a wakes up: its poll result, renewal and finish are all refused.
        let result = ScanUpdate.make(source: "harbor-prod", upstreamId: "from-a", status: .completed, updated: .t(50))
        #expect(try await a.keep(result, fence: first.fence) == .fenceLost)
        #expect(try await !a.renew(first.fence, ttl: .seconds(60)))
        #expect(try await !a.finishPoll(first.fence, state: "done", nextPollIn: nil, lastError: nil, document: Array("{\"by\":\"a\"}".utf8)))
        #expect(try await a.scan(id: "harbor-prod:from-a") == nil)

        // b's writes go through.
        #expect(try await b.renew(taken.fence, ttl: .seconds(60)))
        guard case .kept(let applied) = try await b.keep(result, fence: taken.fence) else {
            Issue.record("the lease holder's result was refused")
            return
        }
        #expect(applied.event?.type == "scan.completed")
        #expect(try await b.finishPoll(taken.fence, state: "waiting", nextPollIn: .seconds(30), lastError: "upstream 503", document: Array("{\"by\":\"b\"}".utf8)))
        let watch = try #require(try await a.watch(id: "w"))
        #expect(watch.document == Array("{\"by\":\"b\"}".utf8))
        #expect(watch.lastError == "upstream 503" && watch.leaseOwner == nil && watch.leaseUntil == nil && watch.nextPollAt != nil)
        // The finished poll released the lease, and the next poll is not due yet.
        #expect(try await a.leaseDue(owner: "a", ttl: .seconds(60), limit: 1).isEmpty)
    }

    @Test func aChangeOutsideThePollMovesTheEpoch_SoThePollInFlightCannotWriteOverIt() async throws {
        let database = try await TestDatabase.make()
        defer { database.close() }
        let state = database.state
        _ = try await state.createWatch(id: "w", source: "opsmx", state: "waiting", firstPollIn: .zero, document: [1])
        let lease = try #require(try await state.leaseDue(owner: "a", ttl: .seconds(60), limit: 1).first)
        #expect(try await state.updateWatch(id: "w", state: "cancelled", nextPollIn: nil, document: [2]))
        #expect(try await !state.finishPoll(lease.fence, state: "waiting", nextPollIn: .zero, lastError: nil, document: [3]))
        let watch = try #require(try await state.watch(id: "w"))
        #expect(watch.state == "cancelled" && watch.document == [2] && watch.nextPollAt == nil)
        #expect(try await state.watches().map(\.id) == ["w"])
        #expect(try await state.deleteWatch(id: "w"))
        #expect(try await !state.deleteWatch(id: "w"))
        #expect(try await state.keep(.make(), fence: lease.fence) == .fenceLost)
    }
}
