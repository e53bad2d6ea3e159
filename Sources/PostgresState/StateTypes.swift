import Foundation
import ScanCore

/// One event as the `events` table holds it: the SSE `id:` (gap-free, in commit order), `event:` and `data:`.
public struct StoredEvent: Sendable, Hashable {
    public let id: UInt64
    public let type: String
    public let payload: [UInt8]
    /// The scan it is about (nil for a watch event).
    public let scanId: String?

    public init(id: UInt64, type: String, payload: [UInt8], scanId: String?) {
        self.id = id
        self.type = type
        self.payload = payload
        self.scanId = scanId
    }
}

/// What `events(after:limit:)` found.
public struct StoredEventPage: Sendable, Hashable {
    /// Events after the requested id, oldest first, at most the limit.
    public var events: [StoredEvent]
    /// Events after the requested id were deleted by retention (or the id is newer than any event, as after a
    /// restore of an older database): the reader missed some.
    public var missedEvents: Bool
    /// The id of the last committed event when this was read.
    public var lastId: UInt64
}

/// One update of a delivery or poll as committed: what the merge did, and the event it published (nil when the
/// update changed nothing).
public struct AppliedUpdate: Sendable, Hashable {
    public let outcome: ApplyOutcome
    public let event: StoredEvent?
}

/// What `acceptDelivery` did.
public enum DeliveryOutcome: Sendable, Hashable {
    /// The key was claimed within the window (by this replica or another): nothing was applied.
    case duplicate
    /// Claimed, applied and committed together, one entry per update in the order given. `watchesMayFollow` is false
    /// when, as the delivery committed, no active watch followed any of its scans (``FollowingWatchProbe``); true when
    /// some may, or nobody looked (no scan changed).
    case accepted([AppliedUpdate], watchesMayFollow: Bool)
}

/// What `keep` did with a poll's result.
public enum KeepOutcome: Sendable, Hashable {
    case kept(AppliedUpdate)
    /// The watch's lease was taken over (or the watch is gone): the result was not written.
    case fenceLost
}

/// A watch row. `document` is the watch as its owner encodes it (this module knows nothing of its fields beyond the
/// columns the lease and schedule need).
public struct WatchRecord: Sendable, Hashable {
    public var id: String
    public var source: String
    /// `waiting` and `polling` are active (leased when due); any other state has ended.
    public var state: String
    public var nextPollAt: Date?
    public var leaseOwner: String?
    /// Nil when never leased or released.
    public var leaseUntil: Date?
    public var leaseEpoch: Int64
    public var lastError: String?
    public var document: [UInt8]
}

/// The proof of one lease: every write for the poll it covers names it, and is refused once another lease (a higher
/// epoch) replaced it.
public struct WatchFence: Sendable, Hashable {
    public let watchId: String
    public let epoch: Int64

    public init(watchId: String, epoch: Int64) {
        self.watchId = watchId
        self.epoch = epoch
    }
}

public struct LeasedWatch: Sendable, Hashable {
    public let watch: WatchRecord
    public let fence: WatchFence
}
