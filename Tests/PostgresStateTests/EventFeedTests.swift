import Foundation
import Locking
import Postgres
import PostgresState
import ScanCore
import Testing

// Awaits deliveries a bug could withhold forever: the time limit bounds it.
@Suite(.timeLimit(.minutes(1))) struct EventFeedTests {
    @Test func theFeedDeliversEveryEventOnceInOrder_AcrossATerminatedListenConnection() async throws {
        let database = try await TestDatabase.make(replicas: 2)
        defer { database.close() }
        let (writer, follower) = (database.replicas[0], database.replicas[1])
        _ = try await writer.acceptDelivery(key: "before", window: .seconds(60), updates: [.make(upstreamId: "before")])

        let received = Locked<[UInt64]>([])
        let (arrivals, arrived) = AsyncStream.makeStream(of: Int.self)
        // A long poll interval: only notifications and the catch-up after a reconnect can bring events in time.
        let feed = try PostgresEventFeed(
            state: follower, settings: ConnectionSettings(database.connectionString), after: 0, pollEvery: .seconds(600),
            listener: .init(idleCheck: .seconds(600), initialBackoff: .milliseconds(20))
        ) { update in
            let count = received.withLock { ids in
                ids += update.events.map(\.id)
                return ids.count
            }
            arrived.yield(count)
        }
        var iterator = arrivals.makeAsyncIterator()
        func waitFor(_ count: Int) async -> Bool {
            while let seen = await iterator.next() { if seen >= count { return true } }
            return false
        }
        #expect(await waitFor(1))

        for index in 0..<5 {
            _ = try await writer.acceptDelivery(key: "live-\(index)", window: .seconds(60), updates: [.make(upstreamId: "live-\(index)")])
        }
        #expect(await waitFor(6))

        // The LISTEN connection dies; events committed meanwhile arrive with the catch-up after the reconnect.
        try database.inspect { connection in
            try connection.execute("""
                SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                WHERE datname = current_database() AND query LIKE 'LISTEN %'
                """)
        }
        for index in 0..<5 {
            _ = try await writer.acceptDelivery(key: "gap-\(index)", window: .seconds(60), updates: [.make(upstreamId: "gap-\(index)")])
        }
        #expect(await waitFor(11))
        await feed.stop()
        #expect(received.withLock { $0 } == Array(1...11))
        #expect(feed.cursor == 11)
    }

    @Test func aStreamOfCommits_IsReadInPagesSpacedApart_NotOneReadPerCommit() async throws {
        let database = try await TestDatabase.make(replicas: 2)
        defer { database.close() }
        let (writer, follower) = (database.replicas[0], database.replicas[1])
        let pages = Locked<[[UInt64]]>([])
        let (arrivals, arrived) = AsyncStream.makeStream(of: Int.self)
        // 40 commits made one after another, each one notifying, arrive in pages at least `spacing` apart (the first
        // read at once, then one per interval) rather than one per commit: at most one page per interval elapsed, and
        // a few in all when the writes outpace the interval (on a quiet machine they take well under one).
        let spacing = Duration.milliseconds(300)
        let started = ContinuousClock.now
        let feed = try PostgresEventFeed(
            state: follower, settings: ConnectionSettings(database.connectionString), after: 0, pollEvery: .seconds(600),
            spacing: spacing
        ) { update in
            arrived.yield(pages.withLock { pages in
                pages.append(update.events.map(\.id))
                return pages.joined().count
            })
        }
        for index in 0..<40 {
            _ = try await writer.acceptDelivery(key: "stream-\(index)", window: .seconds(60), updates: [.make(upstreamId: "stream-\(index)")])
        }
        for await count in arrivals where count >= 40 { break }
        let intervals = Int((ContinuousClock.now - started) / spacing)
        await feed.stop()
        let read = pages.withLock { $0 }
        #expect(Array(read.joined()) == Array(1...40))
        #expect(read.count <= intervals + 2, "\(read.map(\.count)) events per page in \(intervals) intervals")
        #expect(read.count < 40)
    }
}
