import Foundation
import ScanCore

/// One artifact as Harbor's API returns it (`GET /api/v2.0/projects/{p}/repositories/{r}/artifacts/{reference}
/// ?with_scan_overview=true&with_sbom_overview=true`): its digest, whether it is a multi-arch index and which children
/// it has, and its scans.
struct HarborArtifact {
    /// A child manifest of an index, from `references`.
    struct Child: Equatable {
        let digest: String
        /// Build attestations (buildx's `unknown/unknown` platform, `vnd.docker.reference.type:
        /// attestation-manifest`): Harbor never scans them, so nobody waits for them.
        let isAttestation: Bool
    }

    /// Children beyond this are not followed: real indexes have a handful of platforms.
    static let maximumChildren = 64

    let digest: String
    let tag: String?
    let children: [Child]
    let isIndex: Bool
    /// The vulnerability scan, if the artifact has a report; then the SBOM scan, if it has one.
    let scans: [ScanUpdate]

    /// Decodes the artifact of `repository` (the full name, `project/path`). Scans carry the artifact's own JSON.
    init(_ body: [UInt8], repository: String, source: String) throws(WebhookDecodeError) {
        guard let artifact = JSONValue.parse(body), artifact.object != nil else {
            throw .malformed("expected a Harbor artifact object")
        }
        digest = try WebhookDecoding.checkedId(WebhookDecoding.requiredString(artifact["digest"], at: "digest"), at: "digest")
        // The tag the artifact is known by, when it has exactly one: a scan's subject names it.
        let tags = artifact["tags"]?.array?.compactMap { $0["name"]?.string } ?? []
        tag = tags.count == 1 ? tags[0] : nil
        var children: [Child] = []
        for (index, reference) in (artifact["references"]?.array ?? []).prefix(Self.maximumChildren).enumerated() {
            let path = "references[\(index)].child_digest"
            let childDigest = try WebhookDecoding.checkedId(
                WebhookDecoding.requiredString(reference["child_digest"], at: path), at: path)
            children.append(Child(digest: childDigest, isAttestation: Self.isAttestation(reference)))
        }
        self.children = children
        let mediaType = artifact["manifest_media_type"]?.string ?? ""
        isIndex = !children.isEmpty || mediaType.hasSuffix("image.index.v1+json") || mediaType.hasSuffix("manifest.list.v2+json")
        let context = HarborReport.Context(event: nil, repository: repository, eventTime: nil, source: source, via: .poll)
        var scans: [ScanUpdate] = []
        for kind in [HarborReport.Kind.vulnerability, .sbom] {
            let report = HarborReport(digest: digest, tag: tag, kind: kind, overviews: artifact, context: context)
            if report.report != nil { scans.append(report.update(raw: body)) }
        }
        self.scans = scans
    }

    var vulnerabilityScan: ScanUpdate? { scans.first { $0.scanType == HarborReport.Kind.vulnerability.rawValue } }

    private static func isAttestation(_ reference: JSONValue) -> Bool {
        if reference["annotations"]?["vnd.docker.reference.type"]?.string == "attestation-manifest" { return true }
        let platform = reference["platform"]
        return platform?["os"]?.string == "unknown" && platform?["architecture"]?.string == "unknown"
    }
}
