import Locking

/// One published change: the SSE `id:`, `event:` and `data:`.
public struct Event: Sendable, Hashable {
    /// Grows by one with each event, from 1.
    public let id: UInt64
    public let type: String
    /// The JSON `data:` (`{"type": ..., "scan": ...}` or `{"type": ..., "watch": ...}`).
    public let payload: [UInt8]
}

/// What `events(after:)` found in the ring.
public struct EventReplay: Sendable, Hashable {
    /// Events after the requested id that are still in the ring, oldest first.
    public var events: [Event]
    /// Some events after the requested id are gone: older than the ring, or the id is unknown (newer than any event,
    /// as after a restart), in which case `events` is the whole ring.
    public var missedEvents: Bool
}

/// A bounded ring of change events for `Last-Event-ID` resumption, and the live feed of `GET /v1/events`.
///
/// Subscribers read from the ring itself through a cursor: nothing is buffered per subscriber, so a slow one costs
/// no memory. One that falls so far behind that its next event has been overwritten is too slow: its sequence ends
/// with ``SubscriptionError/tooSlow``.
public final class EventLog: Sendable {
    public enum SubscriptionError: Error, Hashable {
        /// The subscriber fell behind by more than the ring holds.
        case tooSlow
    }

    struct State {
        var ring: [Event] = []
        /// Index in `ring` of the oldest event once the ring is full.
        var oldest = 0
        var lastId: UInt64 = 0
        var subscribers = 0
        var nextParkToken: UInt64 = 0
        var parked: [UInt64: CheckedContinuation<Void, Never>] = [:]

        var firstId: UInt64 { lastId - UInt64(ring.count) + 1 }

        /// A new subscription's cursor for `Last-Event-ID` `id` (nil: live events only), and whether events after
        /// `id` are no longer in the ring.
        func start(after id: UInt64?) -> (start: UInt64, missed: Bool) {
            guard let id else { return (lastId, false) }
            if id > lastId { return (ring.isEmpty ? lastId : firstId - 1, true) }
            if ring.isEmpty { return (id, false) }
            return (max(id, firstId - 1), id + 1 < firstId)
        }

        func event(withId id: UInt64) -> Event {
            ring[(oldest + Int(id - firstId)) % ring.count]
        }
    }

    public let capacity: Int
    let state = Locked(State())

    /// `capacity`: events kept for replay (`cache.eventRing`); also how far a subscriber may fall behind.
    public init(capacity: Int = 10_000) {
        self.capacity = max(1, capacity)
    }

    /// Appends an event and wakes the subscribers waiting for one. Returns its id.
    @discardableResult
    public func publish(type: String, payload: [UInt8]) -> UInt64 {
        let (id, woken) = state.withLock { state in
            state.lastId += 1
            let event = Event(id: state.lastId, type: type, payload: payload)
            if state.ring.count < capacity {
                state.ring.append(event)
            } else {
                state.ring[state.oldest] = event
                state.oldest = (state.oldest + 1) % capacity
            }
            let woken = Array(state.parked.values)
            // Kept: the same subscribers park again right after reading.
            state.parked.removeAll(keepingCapacity: true)
            return (state.lastId, woken)
        }
        for continuation in woken { continuation.resume() }
        return id
    }

    /// The id of the newest event, 0 before the first.
    public var lastEventId: UInt64 { state.withLock { $0.lastId } }

    /// Open subscriptions (`scanrelay_sse_subscribers`).
    public var subscriberCount: Int { state.withLock { $0.subscribers } }

    /// Subscribers suspended until the next event: lets tests await the moment a reader is parked.
    var parkedCount: Int { state.withLock { $0.parked.count } }

    /// The events after `id` still in the ring.
    public func events(after id: UInt64) -> EventReplay {
        state.withLock { state in
            guard !state.ring.isEmpty else { return EventReplay(events: [], missedEvents: id > 0) }
            if id > state.lastId {
                return EventReplay(events: (state.firstId...state.lastId).map(state.event), missedEvents: true)
            }
            let from = max(id + 1, state.firstId)
            let events = from <= state.lastId ? (from...state.lastId).map(state.event) : []
            return EventReplay(events: events, missedEvents: id + 1 < state.firstId)
        }
    }

    /// Live events, after replaying the ring from `after` (a `Last-Event-ID`) when given.
    public func subscribe(after id: UInt64? = nil) -> EventSubscription {
        let (start, missed) = state.withLock { state in
            state.subscribers += 1
            return state.start(after: id)
        }
        return EventSubscription(log: self, cursor: start, missedEvents: missed)
    }

    /// `subscribe(after:)` unless `maxSubscribers` subscriptions are open already; nil then. Counted and checked
    /// under one lock, so concurrent requests cannot pass the bound between the two.
    public func subscribe(after id: UInt64? = nil, ifFewerThan maxSubscribers: Int) -> EventSubscription? {
        let opened = state.withLock { state -> (start: UInt64, missed: Bool)? in
            guard state.subscribers < maxSubscribers else { return nil }
            state.subscribers += 1
            return state.start(after: id)
        }
        guard let opened else { return nil }
        return EventSubscription(log: self, cursor: opened.start, missedEvents: opened.missed)
    }

    enum Next {
        case event(Event)
        case tooSlow
        case none
    }

    /// The event after `cursor`, if published yet.
    func next(after cursor: UInt64) -> Next {
        state.withLock { state in
            guard cursor < state.lastId else { return .none }
            guard !state.ring.isEmpty, cursor + 1 >= state.firstId else { return .tooSlow }
            return .event(state.event(withId: cursor + 1))
        }
    }

    /// Returns once an event after `cursor` exists, or the task is cancelled.
    func waitForEvent(after cursor: UInt64) async {
        let token = state.withLock { state in
            defer { state.nextParkToken += 1 }
            return state.nextParkToken
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let parked = state.withLock { state in
                    guard state.lastId == cursor, !Task.isCancelled else { return false }
                    state.parked[token] = continuation
                    return true
                }
                if !parked { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.parked.removeValue(forKey: token) }?.resume()
        }
    }

    func unsubscribe() {
        state.withLock { $0.subscribers -= 1 }
    }
}
