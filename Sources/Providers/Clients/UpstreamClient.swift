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
    /// The upstream knows no scan for the ref yet (or only one older than the watch): poll again later.
    case noScanYet
}
