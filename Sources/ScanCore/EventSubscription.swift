/// The events of one `GET /v1/events` stream: the replay, then live events as they are published. Ends with
/// ``EventLog/SubscriptionError/tooSlow`` when the reader falls a whole ring behind, and without error when its task
/// is cancelled. The subscription counts as open until the last copy of it (and of its iterator) is gone.
public struct EventSubscription: AsyncSequence, Sendable {
    public typealias Element = Event

    /// Some events after the requested `Last-Event-ID` were no longer in the ring (or the id was unknown).
    public let missedEvents: Bool
    private let handle: Handle
    private let start: UInt64

    init(log: EventLog, cursor: UInt64, missedEvents: Bool) {
        handle = Handle(log: log)
        start = cursor
        self.missedEvents = missedEvents
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(handle: handle, cursor: start)
    }

    public struct Iterator: AsyncIteratorProtocol {
        private let handle: Handle
        private var cursor: UInt64
        private var finished = false

        init(handle: Handle, cursor: UInt64) {
            self.handle = handle
            self.cursor = cursor
        }

        public mutating func next() async throws -> Event? {
            while !finished, !Task.isCancelled {
                switch handle.log.next(after: cursor) {
                case .event(let event):
                    cursor = event.id
                    return event
                case .tooSlow:
                    finished = true
                    throw EventLog.SubscriptionError.tooSlow
                case .none:
                    await handle.log.waitForEvent(after: cursor)
                }
            }
            return nil
        }
    }

    /// Keeps the subscriber count honest: decremented when the subscription and all its iterators are released.
    final class Handle: Sendable {
        let log: EventLog

        init(log: EventLog) { self.log = log }

        deinit { log.unsubscribe() }
    }
}
