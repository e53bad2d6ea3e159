/// The limits a connection's timeouts enforce. `linger` bounds how long a closing connection drains input.
package struct ConnectionTimeouts: Sendable, Equatable {
    package var header: Duration
    package var body: Duration
    package var idle: Duration
    package var write: Duration
    package var linger: Duration

    package init(header: Duration, body: Duration, idle: Duration, write: Duration, linger: Duration = .seconds(2)) {
        self.header = header
        self.body = body
        self.idle = idle
        self.write = write
        self.linger = linger
    }
}

/// When a connection must be given up on, as a pure function of what happened to it and when.
///
/// The connection reports events with the time they happened; the event loop's timer asks `expiry(at:)`. Nothing in
/// here reads a clock, so tests drive it with instants of their own.
package struct ConnectionDeadlines<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    /// What the connection is waiting to read, as its protocol handler sees it.
    package enum Reading: Sendable, Equatable {
        /// A keep-alive connection between requests: the idle timeout runs.
        case awaitingRequest
        /// Part of a request head is in (or the connection was just accepted): the header timeout runs.
        case head
        /// The head is complete, the body is not: the body timeout runs from the last byte.
        case body
        /// A request is being answered: no read deadline, since a long-poll may legitimately take minutes.
        case busy
        /// The final response is out and input is drained before closing (so the peer does not see a reset).
        case lingering
    }

    package enum Expiry: Sendable, Equatable {
        /// `bytesReceived` false: the peer never started a request, so there is no one to answer.
        case header(bytesReceived: Bool)
        case body
        case idle
        case write
        case linger
    }

    private let timeouts: ConnectionTimeouts
    private var reading = Reading.head
    private var readDeadline: Instant?
    private var headBytesReceived = false
    private var writeDeadline: Instant?

    /// A new connection has the header timeout from its accept.
    package init(timeouts: ConnectionTimeouts, acceptedAt now: Instant) {
        self.timeouts = timeouts
        readDeadline = now.advanced(by: timeouts.header)
    }

    /// Input arrived; `next` is the reading state after it was consumed. Progress restarts the body timeout.
    package mutating func bytesReceived(_ next: Reading, now: Instant) {
        move(to: next, now: now)
        switch next {
        case .head: headBytesReceived = true
        case .body: readDeadline = now.advanced(by: timeouts.body)
        case .awaitingRequest, .busy, .lingering: break
        }
    }

    /// The reading state changed without input: a response finished, the connection began closing.
    package mutating func readingChanged(to next: Reading, now: Instant) {
        move(to: next, now: now)
    }

    /// After every write attempt. Progress restarts the write timeout; no pending output clears it.
    package mutating func wrote(progress: Bool, pending: Bool, now: Instant) {
        if !pending {
            writeDeadline = nil
        } else if progress || writeDeadline == nil {
            writeDeadline = now.advanced(by: timeouts.write)
        }
    }

    /// The deadline that has passed at `now`, if any; a stalled write wins over reading.
    package func expiry(at now: Instant) -> Expiry? {
        if let writeDeadline, now >= writeDeadline { return .write }
        guard let readDeadline, now >= readDeadline else { return nil }
        switch reading {
        case .awaitingRequest: return .idle
        case .head: return .header(bytesReceived: headBytesReceived)
        case .body: return .body
        case .lingering: return .linger
        case .busy: return nil
        }
    }

    /// Each deadline starts when its state is entered; staying in a state keeps it (a trickle does not extend it).
    private mutating func move(to next: Reading, now: Instant) {
        guard next != reading else { return }
        reading = next
        switch next {
        case .awaitingRequest: readDeadline = now.advanced(by: timeouts.idle)
        case .head:
            readDeadline = now.advanced(by: timeouts.header)
            headBytesReceived = false
        case .body: readDeadline = now.advanced(by: timeouts.body)
        case .busy: readDeadline = nil
        case .lingering: readDeadline = now.advanced(by: timeouts.linger)
        }
    }
}
