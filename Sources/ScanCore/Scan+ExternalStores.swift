import Foundation

// What a store outside ScanCore (the PostgreSQL state) needs to keep scans exactly as ``ScanStore`` does: the one
// bookkeeping flag the merge rule reads, the list's page tokens, and the event an outcome publishes. Additive only:
// ScanStore itself does not go through these.

extension Scan {
    /// Whether `createdAt` is an upstream creation time (``ScanMerge`` may then only move it earlier) or the first-seen
    /// time. Not part of the wire form: a store that rebuilds a scan from its own columns must keep it alongside.
    public var isCreatedAtUpstream: Bool {
        get { createdAtIsUpstream }
        set { createdAtIsUpstream = newValue }
    }
}

/// The page tokens of ``ScanStore/list(_:)``: the exact bits of the last served scan's `createdAt` and its id. A store
/// that serves the same list (newest `createdAt` first, ties by id bytes descending) hands out the same tokens, so a
/// client may page through either.
public enum ScanPageToken {
    public static func encode(createdAt: Date, id: String) -> String {
        PageToken.encode(ScanSortKey(createdAt: createdAt, id: id))
    }

    /// The sort key the token names; nil for a token that is not one.
    public static func decode(_ token: String) -> (createdAt: Date, id: String)? {
        PageToken.decode(token).map { ($0.createdAt, $0.id) }
    }
}

extension ApplyOutcome {
    /// The event ``ScanStore`` publishes for this outcome (`scan.completed` when the scan became terminal, else
    /// `scan.updated`); nil when nothing changed or the update was refused.
    public var eventType: String? {
        switch self {
        case .created(let scan): scan.status.isTerminal ? "scan.completed" : "scan.updated"
        case .changed(let old, let new): new.status.isTerminal && !old.status.isTerminal ? "scan.completed" : "scan.updated"
        case .unchanged, .refused: nil
        }
    }
}

extension ScanPage {
    /// A page a store outside ScanCore served (its token from ``ScanPageToken``).
    public init(servedScans scans: [Scan], nextPageToken: String?) {
        self.init(scans: scans, nextPageToken: nextPageToken)
    }
}

extension ScanQuery.InvalidPageToken {
    /// For a store outside ScanCore that refuses a token as ``ScanStore/list(_:)`` does.
    public static var refused: Self { Self() }
}
