import Foundation
import ScanCore

/// Polls Harbor's artifact API: `GET {base}/api/v2.0/projects/{project}/repositories/{repository}/artifacts/
/// {reference}?with_scan_overview=true&with_sbom_overview=true`, with a robot account's basic auth.
///
/// The repository excludes the project and any `/` left in it is encoded twice (`team/nginx` → `team%252Fnginx`),
/// as Harbor's router decodes the path once before splitting it. `X-Accept-Vulnerabilities` names both report types
/// Harbor knows, so an old adapter's report is read too. A ref by tag resolves to the artifact's digest, so later polls
/// follow the artifact found and not whatever the tag is moved to.
///
/// A multi-arch index has no scan of its own (Harbor's merged index overview says `Success` once any one child
/// succeeded): each child is read by digest, and the index is final once every scanned child is.
public struct HarborClient: UpstreamClient {
    static let acceptedReports = HarborReport.reportTypes.joined(separator: ", ")

    private let source: String
    private let http: UpstreamHTTP

    public init(source: String, configuration: UpstreamConfiguration, maxConnections: Int,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.source = source
        http = UpstreamHTTP(configuration: configuration, maxConnections: maxConnections, now: now)
    }

    public func poll(_ ref: ScanRef, scanStartedAt: Date) async throws(UpstreamError) -> PollResult {
        guard case .harbor(let repository, let reference) = ref else { throw .malformed("not a Harbor ref") }
        guard let artifact = try await read(repository, reference) else { return .noScanYet }
        let following = ScanRef.harbor(repository: repository, reference: artifact.digest)
        guard artifact.isIndex else {
            guard let scan = artifact.vulnerabilityScan else {
                // Not scanned yet (no `scan_overview`); an SBOM scan, if any, is cached meanwhile.
                guard !artifact.scans.isEmpty else { return .noScanYet }
                return .scans(PolledScans(updates: artifact.scans, followedScanId: nil, isFinal: false), following: following)
            }
            if artifact.scans.count == 1 { return .scan(scan, following: following) }
            return .scans(PolledScans(updates: artifact.scans, followedScanId: scan.scanId, isFinal: scan.status.isTerminal),
                          following: following)
        }
        let scanned = artifact.children.filter { !$0.isAttestation }
        var updates: [ScanUpdate] = []
        var final = !scanned.isEmpty
        for child in scanned {
            let read = try await self.read(repository, child.digest)
            updates += read?.scans ?? []
            if read?.vulnerabilityScan?.status.isTerminal != true { final = false }
        }
        let index = ImageIndex(imageId: "\(repository)@\(artifact.digest)",
                               children: scanned.map { "\(repository)@\($0.digest)" })
        return .scans(PolledScans(updates: updates, followedScanId: nil, isFinal: final, index: index), following: following)
    }

    /// The artifact, or nil when Harbor has no such artifact (yet): a watch may start before the push.
    private func read(_ repository: String, _ reference: String) async throws(UpstreamError) -> HarborArtifact? {
        guard let slash = repository.firstIndex(of: "/") else { throw .malformed("repository needs a project") }
        let project = String(repository[..<slash])
        let path = String(repository[repository.index(after: slash)...])
        let url = try http.url(
            ["/api/v2.0/projects/", .value(project), "/repositories/", .doubleEncoded(path), "/artifacts/", .reference(reference)],
            query: [("with_scan_overview", "true"), ("with_sbom_overview", "true")])
        let body: Data
        do {
            body = try await http.get(url, headers: [("X-Accept-Vulnerabilities", Self.acceptedReports)])
        } catch .http(status: 404, let message) where !(message ?? "").contains("path") {
            return nil
        } catch .http(let status, let message) where status == 401 || status == 403 {
            // Harbor runs a wrong, expired or disabled robot secret as anonymous rather than refusing it.
            throw .http(status: status, message: (message.map { $0 + "; " } ?? "")
                + "Harbor answers this for a wrong robot secret too (it runs the request as anonymous): check the credentials")
        }
        return try decoded(HarborArtifact(Array(body), repository: repository, source: source))
    }
}
