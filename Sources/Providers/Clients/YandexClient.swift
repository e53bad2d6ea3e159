import Foundation
import ScanCore

/// Polls Yandex Cloud Container Registry: `scans/{scanResultId}` for a ref naming a result, or
/// `images/{imageId}:lastScanResult` for a ref naming an image. The latter answers the last *finished* scan, which
/// may be an older one: a result scanned before the watched scan started is not this scan.
public struct YandexClient: UpstreamClient {
    private let source: String
    private let http: UpstreamHTTP

    public init(source: String, configuration: UpstreamConfiguration, maxConnections: Int,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.source = source
        http = UpstreamHTTP(configuration: configuration, maxConnections: maxConnections, now: now)
    }

    public func poll(_ ref: ScanRef, scanStartedAt: Date) async throws(UpstreamError) -> PollResult {
        switch ref {
        case .yandexScan(let scanResultId):
            let body = try await http.get(http.url(["/container-registry/v1/scans/", .value(scanResultId)]))
            return .scan(try decode(body), following: ref)
        case .yandexImage(let imageId):
            let body: Data
            do {
                body = try await http.get(http.url(["/container-registry/v1/images/", .value(imageId), ":lastScanResult"]))
            } catch .http(status: 404, _) {
                return .noScanYet // no finished scan of the image yet
            }
            let update = try decode(body)
            guard let scannedAt = update.upstreamUpdatedAt, scannedAt >= scanStartedAt else { return .noScanYet }
            return .scan(update, following: .yandexScan(scanResultId: update.upstreamId))
        default:
            throw .malformed("not a Yandex ref")
        }
    }

    private func decode(_ body: Data) throws(UpstreamError) -> ScanUpdate {
        try decoded(YandexDecoding.scanUpdate(fromScanResult: Array(body), source: source, via: .poll))
    }
}
