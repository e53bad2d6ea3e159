/// The normalized status vocabulary every provider's states map onto.
public enum ScanStatus: String, Sendable, Hashable, CaseIterable {
    case queued
    case running
    case completed
    case failed
    case cancelled
    case notFound = "not_found"
    case unknown

    /// Maps a raw value leniently: anything outside the vocabulary is `unknown`, never an error, so a relayed scan
    /// from a newer ScanRelay with an extra status still decodes.
    public init(parsing raw: String) {
        self = ScanStatus(rawValue: raw) ?? .unknown
    }

    /// Whether the scan has finished for good: polling stops, long-polls return at once, `scan.completed` is emitted.
    ///
    /// `not_found` is deliberately not terminal: it answers "no scan yet" (Binarly's `no_scans`, an image whose first
    /// scan has not started), and the scan may well appear on a later poll. `unknown` is not terminal either: it is an
    /// upstream value we do not understand, and polling goes on until a known state arrives. (`scanrelay wait` still
    /// treats both as failures when its timeout ends — that is the client's view, not the cache's.)
    public var isTerminal: Bool {
        switch self {
        case .completed, .failed, .cancelled: true
        case .queued, .running, .notFound, .unknown: false
        }
    }

    /// A total order used only to break ties in the merge rule once terminality, upstream time and channel are
    /// equal: progress wins (running over queued; completed over failed over cancelled).
    var mergeRank: Int {
        switch self {
        case .unknown: 0
        case .notFound: 1
        case .queued: 2
        case .running: 3
        case .cancelled: 4
        case .failed: 5
        case .completed: 6
        }
    }
}

extension ScanStatus: Codable {
    public init(from decoder: any Decoder) throws {
        self.init(parsing: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
