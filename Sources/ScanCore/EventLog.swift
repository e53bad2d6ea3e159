import Locking

/// One published change: the SSE `id:`, `event:` and `data:`.
public struct Event: Sendable, Hashable {
    /// Grows by one with each event, from 1.
    public let id: UInt64
    public let type: String
    /// The JSON `data:` (`{"type": ..., "scan": ...}` or `{"type": ..., "watch": ...}`).
    public let payload: [UInt8]

    public init(id: UInt64, type: String, payload: [UInt8]) {
        self.id = id
        self.type = type
        self.payload = payload
    }
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

        /// Puts `event` (numbered `lastId + 1`) into the ring, over the oldest once full. The caller wakes the
        /// parked subscribers once it has released the lock.
        mutating func insert(_ event: Event, capacity: Int) {
            lastId = event.id
            if ring.count < capacity {
                ring.append(event)
            } else {
                ring[oldest] = event
                oldest = (oldest + 1) % capacity
            }
        }
    }

    public let capacity: Int
    let state = Locked(State())
    /// Subscribers that have read everything, waiting for the next event.
    let parked = Waiters<Unkeyed>()

    /// `capacity`: events kept for replay (`cache.eventRing`); also how far a subscriber may fall behind.
    public init(capacity: Int = 10_000) {
        self.capacity = max(1, capacity)
    }

    /// Appends an event and wakes the subscribers waiting for one. Returns its id.
    @discardableResult
    public func publish(type: String, payload: [UInt8]) -> UInt64 {
        let id = state.withLock { state in
            let event = Event(id: state.lastId + 1, type: type, payload: payload)
            state.insert(event, capacity: capacity)
            return event.id
        }
        // Outside the lock: the parked check their cursor under the waiters' lock, then this one (see `Waiters`).
        parked.wakeAll()
        return id
    }

    /// Appends an event numbered elsewhere (a shared store's event table, read in id order) and wakes the
    /// subscribers. An id at or below the newest is ignored (already here). An id past the next one means the events
    /// between are gone (the shared store's retention outran this reader): the ring starts again at it, so
    /// subscribers behind it end as too slow and `Last-Event-ID` before it reports missed events.
    @discardableResult
    public func append(_ event: Event) -> Bool {
        let appended = state.withLock { state -> Bool in
            guard event.id > state.lastId else { return false }
            if event.id > state.lastId + 1 {
                state.ring.removeAll(keepingCapacity: true)
                state.oldest = 0
                state.lastId = event.id - 1
            }
            state.insert(event, capacity: capacity)
            return true
        }
        guard appended else { return false }
        parked.wakeAll()
        return true
    }

    /// Starts numbering after `id` (a shared store's newest event) while the ring is empty; false otherwise.
    @discardableResult
    public func startNumbering(after id: UInt64) -> Bool {
        state.withLock { state in
            guard state.ring.isEmpty, id >= state.lastId else { return false }
            state.lastId = id
            return true
        }
    }

    /// The id of the newest event, 0 before the first.
    public var lastEventId: UInt64 { state.withLock { $0.lastId } }

    /// Open subscriptions (`scanrelay_sse_subscribers`).
    public var subscriberCount: Int { state.withLock { $0.subscribers } }

    /// Subscribers suspended until the next event: lets tests await the moment a reader is parked.
    var parkedCount: Int { parked.count }

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
        _ = await parked.wait(unless: { state.withLock { $0.lastId != cursor } })
    }

    func unsubscribe() {
        state.withLock { $0.subscribers -= 1 }
    }
}
