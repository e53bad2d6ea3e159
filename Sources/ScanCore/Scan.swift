import Foundation

/// A normalized scan as ScanRelay caches and serves it (`openapi.yaml`, `Scan`).
///
/// Values are produced by ``ScanStore`` from ``ScanUpdate``s; `createdAt`, `updatedAt` and `revision` are the
/// store's bookkeeping. The fast wire form is ``ScanJSON``; `Codable` is offered for clients and tests and leaves
/// `raw` out (raw upstream JSON cannot pass through an `Encoder` verbatim).
public struct Scan: Sendable, Hashable {
    /// `"<source>:<upstreamId>"`, stable.
    public var id: String
    public var source: String
    public var provider: Provider
    public var upstreamId: String
    public var subject: ScanSubject
    /// What kind of scan this is where a provider runs several kinds on one artifact (Harbor: `vulnerability` or
    /// `sbom`); nil where there is only one. Fixed by the scan's first update: a kind never changes.
    public var scanType: String?
    public var status: ScanStatus
    /// The upstream's own status word, kept as received (for `unknown` above all).
    public var upstreamStatus: String?
    /// The upstream's creation time when known, else when ScanRelay first saw the scan. The list order.
    public var createdAt: Date
    /// When ScanRelay last changed this record (its own clock).
    public var updatedAt: Date
    /// The upstream's time for the state this record shows.
    public var upstreamUpdatedAt: Date?
    public var completedAt: Date?
    public var findings: Findings?
    public var score: Double?
    public var checks: [ScanCheck]
    public var via: ScanVia
    /// Grows by one with each change; the ETag.
    public var revision: UInt64
    /// The upstream JSON document this state came from; served only with `?view=full`.
    public var raw: [UInt8]
    /// Whether `createdAt` is an upstream time (it can then only move earlier) or the first-seen clock time (which
    /// the first upstream creation time replaces). Bookkeeping: not part of the wire form, nor of equality.
    var createdAtIsUpstream: Bool {
        get { bookkeeping.createdAtIsUpstream }
        set { bookkeeping.createdAtIsUpstream = newValue }
    }
    private var bookkeeping = Bookkeeping()

    public init(
        source: String, provider: Provider, upstreamId: String, subject: ScanSubject, scanType: String? = nil,
        status: ScanStatus,
        upstreamStatus: String? = nil, createdAt: Date, updatedAt: Date, upstreamUpdatedAt: Date? = nil,
        completedAt: Date? = nil, findings: Findings? = nil, score: Double? = nil, checks: [ScanCheck] = [],
        via: ScanVia, revision: UInt64 = 1, raw: [UInt8] = []
    ) {
        self.id = Scan.id(source: source, upstreamId: upstreamId)
        self.source = source
        self.provider = provider
        self.upstreamId = upstreamId
        self.subject = subject
        self.scanType = scanType
        self.status = status
        self.upstreamStatus = upstreamStatus
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.upstreamUpdatedAt = upstreamUpdatedAt
        self.completedAt = completedAt
        self.findings = findings
        self.score = score
        self.checks = checks
        self.via = via
        self.revision = revision
        self.raw = raw
    }

    /// The normalized id of the scan `upstreamId` received through `source`.
    public static func id(source: String, upstreamId: String) -> String {
        source + ":" + upstreamId
    }
}

/// The store's notes on a scan. Two scans that show the same fields are equal whatever the notes say: a scan decoded
/// from the API equals the one cached.
private struct Bookkeeping: Hashable, Sendable {
    var createdAtIsUpstream = false

    static func == (_: Bookkeeping, _: Bookkeeping) -> Bool { true }
    func hash(into _: inout Hasher) {}
}
