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

    var id: String
    var status: String
    var upstreamStatus: String?
    var findings: Findings?
    var revision: Int?

    /// The service's terminal states. `not_found` and `unknown` are not final: a later poll may still find the scan
    /// or read a known state, so `wait` follows them and exits 2 only if they last until the timeout.
    static let finalStatuses: Set<String> = ["completed", "failed", "cancelled"]

    var isFinal: Bool { Self.finalStatuses.contains(status) }

    private enum CodingKeys: String, CodingKey { case id, status, upstreamStatus, findings, revision }

    /// The text fields came from scanners and webhook senders: they are escaped here, once, before any of them can
    /// reach a terminal (an `upstreamStatus` of `\n\u{1B}[1A\u{1B}[2KPASS ...` erased the FAIL line and showed a PASS).
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = UntrustedText.escaped(try container.decode(String.self, forKey: .id))
        status = UntrustedText.escaped(try container.decode(String.self, forKey: .status))
        upstreamStatus = try container.decodeIfPresent(String.self, forKey: .upstreamStatus).map(UntrustedText.escaped)
        findings = try container.decodeIfPresent(Findings.self, forKey: .findings)
        revision = try container.decodeIfPresent(Int.self, forKey: .revision)
    }
}

/// `GET /v1/images/{imageId}/scans`: newest first.
struct ImageScans: Decodable, Sendable {
    var scans: [ScanSnapshot]
}
