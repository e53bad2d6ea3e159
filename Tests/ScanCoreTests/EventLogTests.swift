import Testing
@testable import ScanCore

struct EventLogTests {
    private func log(capacity: Int, publishing count: Int) -> EventLog {
        let log = EventLog(capacity: capacity)
        for index in 1...count { log.publish(type: "scan.updated", payload: Array("\(index)".utf8)) }
        return log
    }

    @Test func ids_GrowByOneFromOne() {
        let log = EventLog()
        #expect(log.lastEventId == 0)
        #expect(log.publish(type: "a", payload: []) == 1)
        #expect(log.publish(type: "b", payload: []) == 2)
        #expect(log.lastEventId == 2)
    }

    @Test func replay_ReturnsWhatFollowsTheId() {
        let log = log(capacity: 10, publishing: 5)
        #expect(log.events(after: 2) == EventReplay(events: log.events(after: 0).events.suffix(3), missedEvents: false))
        #expect(log.events(after: 0).events.map(\.id) == [1, 2, 3, 4, 5])
        #expect(log.events(after: 5) == EventReplay(events: [], missedEvents: false))
    }

    @Test func replayFromBeforeTheRing_SaysEventsWereMissed() {
        let log = log(capacity: 3, publishing: 7)
        #expect(log.events(after: 3) == EventReplay(events: log.events(after: 4).events, missedEvents: true))
        #expect(log.events(after: 4).events.map(\.id) == [5, 6, 7])
        #expect(log.events(after: 4).missedEvents == false)
        #expect(log.events(after: 0).events.map(\.payload) == ["5", "6", "7"].map { Array($0.utf8) })
    }

    @Test func replayFromAnUnknownFutureId_GivesTheWholeRingAndSaysSo() {
        let log = log(capacity: 3, publishing: 4)
        #expect(log.events(after: 99) == EventReplay(events: log.events(after: 1).events, missedEvents: true))
        #expect(EventLog().events(after: 5) == EventReplay(events: [], missedEvents: true))
    }

    @Test func subscriber_GetsTheReplayThenLiveEvents() async throws {
        let log = log(capacity: 10, publishing: 4)
        let subscription = log.subscribe(after: 2)
        #expect(!subscription.missedEvents)
        var iterator = subscription.makeAsyncIterator()
        #expect(try await iterator.next()?.id == 3)
        #expect(try await iterator.next()?.id == 4)
        log.publish(type: "scan.completed", payload: [])
        let live = try await iterator.next()
        #expect(live?.id == 5)
        #expect(live?.type == "scan.completed")
    }

    @Test func subscriberWithoutLastEventId_GetsOnlyNewEvents() async throws {
        let log = log(capacity: 10, publishing: 3)
        var iterator = log.subscribe().makeAsyncIterator()
        async let next = iterator.next()
        log.publish(type: "watch.expired", payload: [])
        #expect(try await next?.id == 4)
    }

    @Test func subscriberResumingFromBeforeTheRing_IsToldEventsWereMissed() async throws {
        let log = log(capacity: 2, publishing: 5)
        let subscription = log.subscribe(after: 1)
        #expect(subscription.missedEvents)
        var iterator = subscription.makeAsyncIterator()
        #expect(try await iterator.next()?.id == 4)
    }

    @Test func subscriberFallingAWholeRingBehind_IsDisconnectedAsTooSlow() async throws {
        let log = EventLog(capacity: 3)
        var iterator = log.subscribe().makeAsyncIterator()
        for _ in 0..<3 { log.publish(type: "t", payload: []) }
        #expect(try await iterator.next()?.id == 1)
        for _ in 0..<3 { log.publish(type: "t", payload: []) }
        await #expect(throws: EventLog.SubscriptionError.tooSlow) { try await iterator.next() }
        #expect(try await iterator.next() == nil)
    }

    @Test func cancelledSubscriber_EndsWithoutError() async throws {
        let log = EventLog()
        let reader = Task {
            var received = 0
            for try await _ in log.subscribe() { received += 1 }
            return received
        }
        while log.parkedCount == 0 { await Task.yield() }
        reader.cancel()
        #expect(try await reader.value == 0)
        #expect(log.parkedCount == 0)
    }

    @Test func subscriberCount_FollowsTheLifetimeOfSubscriptions() async {
        let log = EventLog()
        do {
            let first = log.subscribe()
            let second = log.subscribe(after: 0)
            #expect(log.subscriberCount == 2)
            _ = (first, second)
        }
        #expect(log.subscriberCount == 0)
    }

    @Test func manySubscribers_EachReceiveEveryEventInOrder() async throws {
        let log = EventLog(capacity: 1000)
        let subscriptions = (0..<8).map { _ in log.subscribe() }
        await withThrowingTaskGroup(of: [UInt64].self) { group in
            for subscription in subscriptions {
                group.addTask {
                    var ids: [UInt64] = []
                    for try await event in subscription {
                        ids.append(event.id)
                        if ids.count == 200 { break }
                    }
                    return ids
                }
            }
            for index in 0..<200 { log.publish(type: "t", payload: Array("\(index)".utf8)) }
            while let ids = try? await group.next() { #expect(ids == Array(1...200)) }
        }
    }
}
