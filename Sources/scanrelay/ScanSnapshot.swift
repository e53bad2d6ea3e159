/// The part of a ScanRelay `Scan` that `wait` decides on.
struct ScanSnapshot: Decodable, Equatable, Sendable {
    struct Findings: Decodable, Equatable, Sendable {
        var critical: Int
        var high: Int
        var medium: Int
        var low: Int
        var negligible: Int?
        var unknown: Int?
        var total: Int?
    }

    var id: String
    var status: String
    var upstreamStatus: String?
    var findings: Findings?
    var revision: Int?

    /// The service's terminal states. `not_found` and `unknown` are not final: a later poll may still find the scan
    /// or read a known state, so `wait` follows them and exits 2 only if they last until the timeout.
    static let finalStatuses: Set<String> = ["completed", "failed", "cancelled"]

    var isFinal: Bool { Self.finalStatuses.contains(status) }
}

/// `GET /v1/images/{imageId}/scans`: newest first.
struct ImageScans: Decodable, Sendable {
    var scans: [ScanSnapshot]
}
