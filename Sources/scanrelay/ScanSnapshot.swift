import ScanRelayApp

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

    private enum CodingKeys: String, CodingKey { case id, subject, scanType, status, upstreamStatus, findings, revision }

    /// The text fields came from scanners and webhook senders: they are escaped here, once, before any of them can
    /// reach a terminal (an `upstreamStatus` of `\n\u{1B}[1A\u{1B}[2KPASS ...` erased the FAIL line and showed a PASS).
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = UntrustedText.escaped(try container.decode(String.self, forKey: .id))
        subject = try container.decodeIfPresent(Subject.self, forKey: .subject)
            .map { Subject(imageId: UntrustedText.escaped($0.imageId)) }
        scanType = try container.decodeIfPresent(String.self, forKey: .scanType).map(UntrustedText.escaped)
        status = UntrustedText.escaped(try container.decode(String.self, forKey: .status))
        upstreamStatus = try container.decodeIfPresent(String.self, forKey: .upstreamStatus).map(UntrustedText.escaped)
        findings = try container.decodeIfPresent(Findings.self, forKey: .findings)
        revision = try container.decodeIfPresent(Int.self, forKey: .revision)
    }
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
