import Foundation

/// One observation of a scan, as a provider decoder or a poll produces it. ``ScanStore/apply(_:now:)`` merges it
/// into the cached ``Scan`` by the rule in ``ScanMerge``.
public struct ScanUpdate: Sendable, Hashable {
    /// The receiving source; always the scan's source.
    public var source: String
    public var provider: Provider
    public var upstreamId: String
    public var subject: ScanSubject
    /// The kind of scan (Harbor: `vulnerability`, `sbom`), where a provider has several; see ``Scan/scanType``.
    public var scanType: String?
    public var status: ScanStatus
    public var upstreamStatus: String?
    public var upstreamCreatedAt: Date?
    public var upstreamUpdatedAt: Date?
    public var completedAt: Date?
    public var findings: Findings?
    public var score: Double?
    public var checks: [ScanCheck]
    public var via: ScanVia
    /// The upstream JSON document, kept verbatim. Must be one complete JSON value (or empty: served as `null`).
    public var raw: [UInt8]

    public init(
        source: String, provider: Provider, upstreamId: String, subject: ScanSubject, scanType: String? = nil,
        status: ScanStatus, upstreamStatus: String? = nil, upstreamCreatedAt: Date? = nil, upstreamUpdatedAt: Date? = nil,
        completedAt: Date? = nil, findings: Findings? = nil, score: Double? = nil, checks: [ScanCheck] = [],
        via: ScanVia, raw: [UInt8] = []
    ) {
        self.source = source
        self.provider = provider
        self.upstreamId = upstreamId
        self.subject = subject
        self.scanType = scanType
        self.status = status
        self.upstreamStatus = upstreamStatus
        self.upstreamCreatedAt = upstreamCreatedAt
        self.upstreamUpdatedAt = upstreamUpdatedAt
        self.completedAt = completedAt
        self.findings = findings
        self.score = score
        self.checks = checks
        self.via = via
        self.raw = raw
    }

    /// The normalized id this update belongs to.
    public var scanId: String { Scan.id(source: source, upstreamId: upstreamId) }
}

/// Decodes a `Scan`-shaped object leniently, as the `scanrelay` provider's events carry it in `data`: only
/// `upstreamId`, `subject.imageId` and `status` are required. The relayed scan's `createdAt` becomes
/// `upstreamCreatedAt` and its `upstreamUpdatedAt` (else `updatedAt`) becomes `upstreamUpdatedAt`. `source`
/// defaults to `""` and `provider` to `scanrelay`: the caller sets the receiving source (it always wins), and `raw`
/// (the event body). `via` is `webhook`: that is how the relayed state reached us, whatever the relay's was.
extension ScanUpdate: Decodable {
    private enum CodingKeys: String, CodingKey {
        case source, provider, upstreamId, subject, scanType, status, upstreamStatus, createdAt, updatedAt, upstreamUpdatedAt
        case completedAt, findings, score, checks
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let upstreamTime = try container.decodeRFC3339IfPresent(forKey: .upstreamUpdatedAt)
        self.init(
            source: try container.decodeIfPresent(String.self, forKey: .source) ?? "",
            provider: try container.decodeIfPresent(Provider.self, forKey: .provider) ?? .scanrelay,
            upstreamId: try container.decode(String.self, forKey: .upstreamId),
            subject: try container.decode(ScanSubject.self, forKey: .subject),
            scanType: try container.decodeIfPresent(String.self, forKey: .scanType),
            status: try container.decode(ScanStatus.self, forKey: .status),
            upstreamStatus: try container.decodeIfPresent(String.self, forKey: .upstreamStatus),
            upstreamCreatedAt: try container.decodeRFC3339IfPresent(forKey: .createdAt),
            upstreamUpdatedAt: try upstreamTime ?? container.decodeRFC3339IfPresent(forKey: .updatedAt),
            completedAt: try container.decodeRFC3339IfPresent(forKey: .completedAt),
            findings: try container.decodeIfPresent(Findings.self, forKey: .findings),
            score: try container.decodeIfPresent(Double.self, forKey: .score),
            checks: try container.decodeIfPresent([ScanCheck].self, forKey: .checks) ?? [],
            via: .webhook
        )
    }
}
