import Foundation
import Providers

/// Counts every poll of a source's upstream in `scanrelay_polls_total{source,outcome}`, whatever asked for it (a
/// watch's schedule or a webhook hint), by wrapping the client the scheduler calls.
struct CountingUpstreamClient: UpstreamClient {
    let source: String
    let client: any UpstreamClient
    let metrics: AppMetrics

    func poll(_ ref: ScanRef, scanStartedAt: Date) async throws(UpstreamError) -> PollResult {
        do {
            let result = try await client.poll(ref, scanStartedAt: scanStartedAt)
            switch result {
            case .scan, .scans: metrics.recordPoll(source: source, outcome: "scan")
            case .noScanYet: metrics.recordPoll(source: source, outcome: "no_scan_yet")
            }
            return result
        } catch {
            metrics.recordPoll(source: source, outcome: Self.outcome(of: error))
            throw error
        }
    }

    /// A small fixed set of label values: the error kind, never its message.
    static func outcome(of error: UpstreamError) -> String {
        switch error {
        case .http(let status, _): status >= 500 ? "server_error" : status == 401 || status == 403 ? "unauthorized" : "client_error"
        case .rateLimited: "rate_limited"
        case .timeout: "timeout"
        case .transport: "unreachable"
        case .malformed: "malformed"
        }
    }
}
