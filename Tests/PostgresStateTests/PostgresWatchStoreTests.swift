import Foundation
import Polling
import Postgres
import PostgresState
import Providers
import ScanCore
import Testing

/// `/v1/watches` in PostgreSQL mode, and the webhook rule, on a real database.
@Suite struct PostgresWatchStoreTests {
    private static func policy(_ change: (inout PollPolicy) -> Void = { _ in }) -> PollPolicy {
        var policy = PollPolicy()
        change(&policy)
        return policy
    }

    @Test func createdWatchesAreListedNewestFirstInPages_WithTheSchedulersTokensAndAStateFilter() async throws {
        let database = try await TestDatabase.make()
        defer { database.close() }
        let store = PostgresWatchStore(database: database.state, owner: "a", policy: Self.policy())
        var created: [Watch] = []
        for index in 0..<7 {
            created.append(try await store.create(WatchRequest(
                source: "harbor-prod", ref: .harbor(repository: "library/app\(index)", reference: "sha256:\(index)"),
                imageSizeBytes: 10 << 20, expectWebhook: true)))
        }
        let first = try #require(created.first)
        // Expected 5–10 min for a small image, a webhook awaited: first poll at the upper bound, on the database's clock.
        #expect(first.state == .waiting && first.polls == 0)
        #expect(abs(try #require(first.nextPollAt).timeIntervalSince(first.createdAt) - 600) < 1e-5)
        #expect(try await store.watch(id: first.id) == first)
        #expect(try await store.watch(id: "w_missing") == nil)

        _ = try await store.cancel(id: created[2].id)
        var pages: [[Watch]] = []
        var token: String?
        repeat {
            let page = try #require(try await store.list(limit: 3, pageToken: token))
            pages.append(page.watches)
            token = page.nextPageToken
        } while token != nil && pages.count < 10
        #expect(pages.map(\.count) == [3, 3, 1])
        let newestFirst = created.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }.map(\.id)
        #expect(pages.joined().map(\.id) == newestFirst)
        #expect(try await store.list(state: .cancelled)?.watches.map(\.id) == [created[2].id])
        #expect(try await store.list(state: .waiting)?.watches.count == 6)
        #expect(try await store.countsByState() == [.waiting: 6, .cancelled: 1])
        #expect(try await store.list(pageToken: "not-a-token!") == nil)
        // A token names a position: the page after the newest watch is everything else.
        let newest = try #require(try await store.watch(id: newestFirst[0]))
        #expect(try await store.list(pageToken: WatchPageToken.after(newest))?.watches.map(\.id) == Array(newestFirst.dropFirst()))
    }

    @Test func createIsRefusedAtMaxWatches() async throws {
        let database = try await TestDatabase.make()
        defer { database.close() }
        let store = PostgresWatchStore(database: database.state, owner: "a", policy: Self.policy { $0.maxWatches = 2 })
        let request = WatchRequest(source: "opsmx", ref: .opsmx(projectId: "p1", scanId: "s1", type: "image"))
        _ = try await store.create(request)
        _ = try await store.create(request)
        await #expect(throws: WatchError.tooManyWatches(limit: 2)) { try await store.create(request) }
        #expect(try database.count("watches") == 2)
    }

    /// Two replicas (four connections each) creating 40 watches at once against a bound of 7: exactly 7 are made,
    /// never a few more (each create counts only after the one before it committed).
    @Test func concurrentCreatesOnTwoReplicasStopExactlyAtMaxWatches() async throws {
        let database = try await TestDatabase.make(replicas: 2)
        defer { database.close() }
        let stores = database.replicas.enumerated().map { index, replica in
            PostgresWatchStore(database: replica, owner: "r\(index)", policy: Self.policy { $0.maxWatches = 7 })
        }
        let request = WatchRequest(source: "opsmx", ref: .opsmx(projectId: "p1", scanId: "s1", type: "image"))
        let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<40 {
                group.addTask {
                    do {
                        _ = try await stores[index % 2].create(request)
                        return true
                    } catch WatchError.tooManyWatches {
                        return false
                    }
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 7)
        #expect(try database.count("watches") == 7)
    }

    @Test func aWebhookRecordsItsScanOnTheWatchesFollowingIt_AndATerminalOneEndsThem() async throws {
        let database = try await TestDatabase.make()
        defer { database.close() }
        let store = PostgresWatchStore(database: database.state, owner: "a", policy: Self.policy { $0.unknownSize = .init(min: .zero, max: .zero) })
        let following = try await store.create(WatchRequest(source: "harbor-prod", ref: .harbor(repository: "library/nginx", reference: "1.27")))
        let byDigest = try await store.create(WatchRequest(source: "harbor-prod", ref: .harbor(repository: "library/nginx", reference: "sha256:0a1b")))
        let otherRepository = try await store.create(WatchRequest(source: "harbor-prod", ref: .harbor(repository: "library/redis", reference: "1.27")))
        let otherSource = try await store.create(WatchRequest(source: "harbor-stage", ref: .harbor(repository: "library/nginx", reference: "1.27")))
        // A poll of one of them is in flight.
        let lease = try #require(try await store.leaseDue(source: "harbor-prod", limit: 1, ttl: .seconds(60)).first)

        let running = try await store.endWatches(following: .make(status: .running, updated: .t(10)))
        #expect(Set(running.map(\.id)) == [following.id, byDigest.id])
        #expect(running.allSatisfy { $0.scanId == "harbor-prod:scan-1" && $0.state.isActive })

        let completed = try await store.endWatches(following: .make(status: .completed, updated: .t(20)))
        #expect(Set(completed.map(\.id)) == [following.id, byDigest.id])
        #expect(completed.allSatisfy { $0.state == .done && $0.scanId == "harbor-prod:scan-1" && $0.nextPollAt == nil })
        #expect(try await store.watch(id: otherRepository.id)?.state.isActive == true)
        #expect(try await store.watch(id: otherSource.id)?.state == .waiting)
        #expect(try await store.endWatches(following: .make(status: .completed, updated: .t(30))).isEmpty, "ended already")

        // The poll in flight, if it was of an ended watch, can write nothing over the end.
        let step = PollTransition.Step(
            state: lease.state, next: .poll(after: .seconds(1)), failure: nil)
        let finished = try await store.finish(lease.fence, step)
        if lease.state.watch.id == otherRepository.id {
            #expect(finished?.state == .polling)
        } else {
            #expect(finished == nil)
            #expect(try await store.watch(id: lease.state.watch.id)?.state == .done)
        }
    }

    @Test func aDeliveryLearnsAsItCommitsWhetherAnyActiveWatchFollowsItsScans() async throws {
        let database = try await TestDatabase.make()
        defer { database.close() }
        let store = PostgresWatchStore(database: database.state, owner: "a", policy: Self.policy())
        var deliveries = 0
        func mayFollow(_ updates: [ScanUpdate]) async throws -> Bool? {
            deliveries += 1
            let outcome = try await database.state.acceptDelivery(key: "d-\(deliveries)", window: .seconds(3600), updates: updates)
            guard case .accepted(_, let watchesMayFollow) = outcome else { return nil }
            return watchesMayFollow
        }
        #expect(try await mayFollow([.make(upstreamId: "scan-1")]) == false, "no watch at all")

        // Watches of another source and of another repository follow nothing this source's nginx scans touch.
        _ = try await store.create(WatchRequest(source: "harbor-stage", ref: .harbor(repository: "library/nginx", reference: "1.27")))
        _ = try await store.create(WatchRequest(source: "harbor-prod", ref: .harbor(repository: "library/redis", reference: "1.27")))
        #expect(try await mayFollow([.make(upstreamId: "scan-1", updated: .t(10))]) == false)
        #expect(try await mayFollow([.make(upstreamId: "scan-2"), .make(upstreamId: "scan-3")]) == false, "several updates")

        let following = try await store.create(WatchRequest(source: "harbor-prod", ref: .harbor(repository: "library/nginx", reference: "1.27")))
        #expect(try await mayFollow([.make(upstreamId: "scan-1", updated: .t(20))]) == true)
        #expect(try await mayFollow([.make(upstreamId: "scan-4"), .make(source: "harbor-stage", upstreamId: "scan-5")]) == true)

        // Ended, it follows nothing any more.
        #expect(try await store.endWatches(following: .make(upstreamId: "scan-1", status: .completed, updated: .t(30))).map(\.id) == [following.id])
        #expect(try await mayFollow([.make(upstreamId: "scan-6")]) == false)
        #expect(try await mayFollow([.make(upstreamId: "scan-7"), .make(upstreamId: "scan-8")]) == false)
        // A delivery that changes nothing appends no event, so nothing carried the question: it is left open.
        #expect(try await mayFollow([.make(upstreamId: "scan-6")]) == true)
    }

    @Test func aWatchPastItsAgeExpiresInsteadOfBeingPolled_AndIsForgottenAfterAsLong() async throws {
        let database = try await TestDatabase.make()
        defer { database.close() }
        let policy = Self.policy { $0.maxWatchAge = .milliseconds(300) }
        let store = PostgresWatchStore(
            database: database.state, owner: "a", policy: policy, expiredEventPayload: { Array(#"{"watch":"\#($0.id)"}"#.utf8) })
        let watch = try await store.create(WatchRequest(source: "yandex-prod", ref: .yandexImage(imageId: "crpimage")))
        // Its first poll (minutes away) is brought forward to its expiry.
        #expect(abs(try #require(watch.nextPollAt).timeIntervalSince(watch.createdAt) - 0.3) < 1e-5)
        #expect(try await store.expireDue(limit: 10).isEmpty)

        let expired = try await SharedPolling.eventually(within: 10) {
            try await store.expireDue(limit: 10).map(\.id) == [watch.id]
        }
        #expect(expired)
        #expect(try await store.leaseDue(source: "yandex-prod", limit: 10, ttl: .seconds(60)).isEmpty)
        #expect(try await store.watch(id: watch.id)?.state == .expired)
        // One event, committed with the expiry, for every replica's readers.
        let events = try await database.state.events(after: 0).events
        #expect(events.map(\.type) == ["watch.expired"] && events.first?.payload == Array(#"{"watch":"\#(watch.id)"}"#.utf8))
        #expect(try await store.countsByState() == [.expired: 1])
        let forgotten = try await SharedPolling.eventually(within: 10) {
            _ = try await store.expireDue(limit: 10)
            return try await store.watch(id: watch.id) == nil
        }
        #expect(forgotten)
    }

    @Test func anotherReplicaContinuesAWatchWhereTheLastPollLeftIt_RefRunOfErrorsAndFollowKey() async throws {
        let database = try await TestDatabase.make(replicas: 2)
        defer { database.close() }
        let policy = Self.policy { $0.unknownSize = .init(min: .zero, max: .zero) }
        let a = PostgresWatchStore(database: database.replicas[0], owner: "a", policy: policy)
        let b = PostgresWatchStore(database: database.replicas[1], owner: "b", policy: policy)
        let watch = try await a.create(WatchRequest(source: "yandex-prod", ref: .yandexImage(imageId: "crpimage")))

        // a's poll resolved the image to its scan, then failed twice; it asks for the next poll at once.
        let lease = try #require(try await a.leaseDue(source: "yandex-prod", limit: 1, ttl: .seconds(60)).first)
        var state = lease.state
        state.pollRef = .yandexScan(scanResultId: "crpscan9")
        state.consecutiveErrors = 2
        state.watch.polls = 3
        state.watch.lastError = "upstream answered 503"
        let written = try #require(try await a.finish(lease.fence, PollTransition.Step(state: state, next: .poll(after: .zero))))
        #expect(written.state == .polling && written.lastError == "upstream answered 503" && written.nextPollAt != nil)
        #expect(try await a.finish(lease.fence, PollTransition.Step(state: state, next: .done(scanId: nil))) == nil, "one finish per lease")

        let taken = try #require(try await b.leaseDue(source: "yandex-prod", limit: 1, ttl: .seconds(60)).first)
        #expect(taken.state.pollRef == .yandexScan(scanResultId: "crpscan9") && taken.state.consecutiveErrors == 2)
        #expect(taken.state.watch.polls == 3 && taken.state.watch.id == watch.id && taken.state.watch.scanStartedAt == watch.scanStartedAt)
        #expect(taken.fence.epoch > lease.fence.epoch)

        // The webhook rule now finds it by the scan it follows, not by its image.
        let update = ScanUpdate(
            source: "yandex-prod", provider: .yandex, upstreamId: "crpscan9", subject: ScanSubject(imageId: "crpother"),
            status: .completed, via: .webhook)
        #expect(try await b.endWatches(following: update).map(\.id) == [watch.id])
        #expect(try await b.finish(taken.fence, PollTransition.Step(state: taken.state, next: .poll(after: .zero))) == nil)
    }
}
