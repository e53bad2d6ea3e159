import Foundation
import Postgres
import PostgresState
import ScanCore
import Testing

// Awaits a notification a bug could withhold forever: the time limit bounds it.
@Suite(.timeLimit(.minutes(1))) struct EventNotificationTests {
    @Test func aCommittedDeliveryNotifiesTheListenerOfAnotherReplicaWithTheLastEventId() async throws {
        let database = try await TestDatabase.make(replicas: 2)
        defer { database.close() }
        let (events, sink) = AsyncStream.makeStream(of: PostgresListener.Event.self)
        let listener = try PostgresListener(
            ConnectionSettings(database.connectionString), channel: database.replicas[1].configuration.notifyChannel
        ) { sink.yield($0) }
        defer { listener.stop() }
        var iterator = events.makeAsyncIterator()
        #expect(await iterator.next() == .listening(reconnected: false))
        let updates = [ScanUpdate.make(upstreamId: "a"), ScanUpdate.make(upstreamId: "b", status: .completed, updated: .t(5))]
        _ = try await database.replicas[0].acceptDelivery(key: "d", window: .seconds(60), updates: updates)
        guard case .notification(let notification) = await iterator.next() else {
            Issue.record("no notification")
            return
        }
        #expect(notification.payload == "2")
        let page = try await database.replicas[1].events(after: 0)
        #expect(page.events.map(\.id) == [1, 2] && page.events.map(\.scanId) == ["harbor-prod:a", "harbor-prod:b"])
    }
}
