/// The kind of upstream a source talks to. A source is a configured instance of one provider.
public enum Provider: String, Sendable, Hashable, Codable, CaseIterable {
    case binarly
    case yandex
    case opsmx
    case harbor
    /// Another ScanRelay (or a pipeline) relaying its own `scan.updated` / `scan.completed` events.
    case scanrelay
}

/// How the information in a scan record last reached ScanRelay.
public enum ScanVia: String, Sendable, Hashable, Codable, CaseIterable {
    case webhook
    case poll

    /// A poll reads the upstream's authoritative state, a webhook may only be a hint: at equal upstream time the
    /// poll wins.
    var mergeRank: Int { self == .poll ? 1 : 0 }
}
