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

    /// `unknown` is not final: the upstream may still report a known state, so `wait` keeps following it.
    static let finalStatuses: Set<String> = ["completed", "failed", "cancelled", "not_found"]

    var isFinal: Bool { Self.finalStatuses.contains(status) }
}

/// `GET /v1/images/{imageId}/scans`: newest first.
struct ImageScans: Decodable, Sendable {
    var scans: [ScanSnapshot]
}
