import ScanCore

/// What ``StateStore/acceptDelivery(key:updates:now:followUp:)`` did with a delivery.
public enum DeliveryOutcome: Sendable, Equatable {
    /// The key was claimed within the dedupe window: nothing was merged.
    case duplicate
    /// Claimed now, and every update merged (in order).
    case accepted([ApplyOutcome])
}
