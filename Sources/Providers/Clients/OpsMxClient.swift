import Foundation
import ScanCore

/// Polls OpsMx SSD: `{base}/ssdservice/v1/scan/filedata?projectId=&type=&scanId=`. The base URL carries the
/// install's prefix (often `/gate`); the credential is a configured header, by default `X-OpsMx-Auth: Bearer …`.
public struct OpsMxClient: UpstreamClient {
    private let source: String
    private let http: UpstreamHTTP

    public init(source: String, configuration: UpstreamConfiguration, maxConnections: Int,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.source = source
        http = UpstreamHTTP(configuration: configuration, maxConnections: maxConnections, now: now)
    }

    public func poll(_ ref: ScanRef, scanStartedAt: Date) async throws(UpstreamError) -> PollResult {
        guard case .opsmx(let projectId, let scanId, let type) = ref else { throw .malformed("not an OpsMx ref") }
        let url = try http.url(["/ssdservice/v1/scan/filedata"],
                               query: [("projectId", projectId), ("type", type), ("scanId", scanId)])
        let body = try await http.get(url)
        let update = try decoded(OpsMxDecoding.scanUpdate(fromFiledata: Array(body), projectId: projectId, type: type, scanId: scanId,
                                                          source: source, via: .poll))
        return .scan(update, following: ref)
    }
}
