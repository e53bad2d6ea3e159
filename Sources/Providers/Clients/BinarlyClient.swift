import Foundation
import ScanCore

/// Polls Binarly API v4: Get Scan for a ref naming a scan, List Scans (`?status=true`) for a ref naming only an
/// image — whose newest scan it then follows by id. A completed scan's counts come from the image's findings report,
/// since Binarly's scan resources carry none.
public struct BinarlyClient: UpstreamClient {
    private let source: String
    private let http: UpstreamHTTP

    /// `now` times OAuth2 token renewal and `Retry-After` dates.
    public init(source: String, configuration: UpstreamConfiguration, maxConnections: Int,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.source = source
        http = UpstreamHTTP(configuration: configuration, maxConnections: maxConnections, now: now)
    }

    public func poll(_ ref: ScanRef, scanStartedAt: Date) async throws(UpstreamError) -> PollResult {
        guard case .binarly(let productId, let imageId, let scanId) = ref else { throw .malformed("not a Binarly ref") }
        let image: [UpstreamURL.Piece] = ["/api/v4/products/", .value(productId), "/images/", .value(imageId), "/scans"]
        if let scanId {
            let body = try await http.get(http.url(image + ["/", .value(scanId)]))
            let update = try decoded(BinarlyDecoding.scanUpdate(
                fromGetScan: Array(body), productId: productId, imageId: imageId, source: source, via: .poll))
            return .scan(try await withFindings(update, image: image), following: ref)
        }
        let body = try await http.get(http.url(image, query: [("status", "true")]))
        let scans = try decoded(BinarlyDecoding.scanUpdates(
            fromListScans: Array(body), productId: productId, imageId: imageId, source: source, via: .poll))
        // Binarly lists newest first, but the order is not documented: pick by creation time where it is given.
        let newest = scans.enumerated().max { (a: (offset: Int, element: ScanUpdate), b: (offset: Int, element: ScanUpdate)) in
            let ta = a.element.upstreamCreatedAt ?? Date.distantPast, tb = b.element.upstreamCreatedAt ?? Date.distantPast
            return ta != tb ? ta < tb : a.offset > b.offset
        }?.element
        guard let newest, newest.status != .notFound else { return .noScanYet }
        return .scan(try await withFindings(newest, image: image),
                     following: .binarly(productId: productId, imageId: imageId, scanId: newest.upstreamId))
    }

    /// `update` with the findings report's counts once it is completed. A report the tenant cannot have (a 4xx
    /// other than 429) leaves the counts unknown rather than holding the verdict back; any other failure is the
    /// poll's, so the watch retries it before the scan is cached as completed without counts.
    private func withFindings(_ update: ScanUpdate, image: [UpstreamURL.Piece]) async throws(UpstreamError) -> ScanUpdate {
        guard update.status == .completed, update.findings == nil else { return update }
        var update = update
        let report = Array(image.dropLast()) + ["/findingsReport:json"]
        do {
            let body = try await http.post(http.url(report), json: Data("{}".utf8))
            update.findings = try decoded(BinarlyFindingsReport.findings(fromReport: Array(body)))
        } catch .http(let status, _) where (400..<500).contains(status) {
            // The counts stay unknown.
        }
        return update
    }
}
