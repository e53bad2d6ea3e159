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

    struct Subject: Decodable, Equatable, Sendable {
        var imageId: String
    }

    var id: String
    var subject: Subject?
    /// Harbor's `vulnerability` or `sbom`; absent for providers with one kind of scan.
    var scanType: String?
    var status: String
    var upstreamStatus: String?
    var findings: Findings?
    var revision: Int?

    /// The service's terminal states. `not_found` and `unknown` are not final: a later poll may still find the scan
    /// or read a known state, so `wait` follows them and exits 2 only if they last until the timeout.
    static let finalStatuses: Set<String> = ["completed", "failed", "cancelled"]

    var isFinal: Bool { Self.finalStatuses.contains(status) }

    /// Whether the scan can give a verdict: an SBOM lists components and judges nothing, so `wait` never follows one.
    var givesVerdict: Bool { scanType != "sbom" }
}

/// `GET /v1/images/{imageId}/scans`: newest first.
struct ImageScans: Decodable, Sendable {
    /// A multi-arch index the service knows: the children that each need a verdict.
    struct Index: Decodable, Sendable {
        var imageId: String
        var children: [String]
    }

    var scans: [ScanSnapshot]
    var index: Index?

    /// The newest scan of `imageId` that can give a verdict.
    func newest(of imageId: String? = nil) -> ScanSnapshot? {
        scans.first { $0.givesVerdict && (imageId == nil || $0.subject?.imageId == imageId) }
    }
}
