import Foundation
import ScanCore

/// Reads the current state of one scan from a source's upstream API. One small type per provider.
public protocol UpstreamClient: Sendable {
    /// Polls the scan `ref` names. `scanStartedAt` lets a client ignore results older than the scan being waited
    /// for (Yandex's `lastScanResult` may be an earlier scan of the same image).
    func poll(_ ref: ScanRef, scanStartedAt: Date) async throws(UpstreamError) -> PollResult
}

/// What one poll found.
public enum PollResult: Sendable, Equatable {
    /// The scan as the upstream reports it now, and the ref that names exactly this scan from now on (a ref by image
    /// resolves to the scan found, so later polls follow that scan and not a newer one).
    case scan(ScanUpdate, following: ScanRef)
    /// Several scans read at once — an artifact's vulnerability and SBOM scans, a multi-arch index's children —
    /// and the ref to poll from now on.
    case scans(PolledScans, following: ScanRef)
    /// The upstream knows no scan for the ref yet (or only one older than the watch): poll again later.
    case noScanYet
}

/// The scans one poll read, and whether what the ref names is final.
public struct PolledScans: Sendable, Equatable {
    /// Every scan read, each to be cached.
    public var updates: [ScanUpdate]
    /// The scan a watch on the ref shows as its `scanId`: the vulnerability scan of a single artifact; none for an
    /// index, which has one per child.
    public var followedScanId: String?
    /// Whether the ref's verdict is settled: its vulnerability scan is terminal, or every child's is. A watch ends then.
    public var isFinal: Bool
    /// The children of the multi-arch index the ref named, if it named one.
    public var index: ImageIndex?

    public init(updates: [ScanUpdate], followedScanId: String?, isFinal: Bool, index: ImageIndex? = nil) {
        self.updates = updates
        self.followedScanId = followedScanId
        self.isFinal = isFinal
        self.index = index
    }
}
