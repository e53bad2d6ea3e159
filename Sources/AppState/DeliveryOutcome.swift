import ScanCore

/// What ``StateStore/acceptDelivery(key:updates:now:followUp:)`` did with a delivery.
public enum DeliveryOutcome: Sendable, Equatable {
    /// The key was claimed within the dedupe window: nothing was merged.
    case duplicate
    /// Claimed now, and every update merged (in order).
    case accepted([ApplyOutcome])
}

/// What a store tells a delivery's follow-up, once the delivery is accepted.
public struct AcceptedDelivery: Sendable, Equatable {
    /// False when the store saw, as it committed the delivery, that no active watch follows any of its scans: matching
    /// the updates against the watches can be skipped. True when some may, or the store did not look.
    public var watchesMayFollow: Bool

    public init(watchesMayFollow: Bool) {
        self.watchesMayFollow = watchesMayFollow
    }
}
