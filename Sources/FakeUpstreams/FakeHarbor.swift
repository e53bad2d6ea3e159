import Foundation
import HTTPCore
import Locking

/// A simulated Harbor (API v2.0): `GET /api/v2.0/projects/{project}/repositories/{repository}/artifacts/{reference}`
/// for single-arch images and multi-arch indexes, scans moving `Pending` → `Running` → `Success` (or `Error`) with
/// each read, and Harbor's ways:
/// - the repository excludes the project, and a `/` in it must arrive encoded twice (`%252F`); a single `%2F` gets
///   Harbor's `404 path … was not found`;
/// - robot accounts use basic auth, and wrong credentials are not refused but run as anonymous: `401` on a private
///   project, the artifact itself on a public one;
/// - `scan_overview` has one key (the first type of `X-Accept-Vulnerabilities` it knows), and is absent until scanned;
/// - an index has no scan of its own: `references` lists its children (an attestation child never gets a report),
///   and its overview merges theirs (`Success` once any child succeeded).
public final class FakeHarbor: FakeUpstream {
    public let core: FakeUpstreamCore

    /// A child manifest of an index.
    public struct Child: Sendable {
        public var digest: String
        public var architecture: String
        public var isAttestation: Bool

        public init(digest: String, architecture: String, isAttestation: Bool = false) {
            self.digest = digest
            self.architecture = architecture
            self.isAttestation = isAttestation
        }
    }

    private struct Artifact {
        var tags: [String]
        var children: [Child]?
        var hasSBOM: Bool
        /// A stable report id per artifact, as Harbor keeps one per artifact and scanner.
        var reportId = UUID().uuidString.lowercased()
        var sbomReportId = UUID().uuidString.lowercased()
    }

    /// One request as Harbor saw it.
    public struct SeenRequest: Sendable, Equatable {
        public var target: String
        public var authorization: String?
        public var acceptVulnerabilities: String?
    }

    private struct State {
        var publicProjects: Set<String> = []
        var privateProjects: Set<String> = []
        var artifacts: [String: Artifact] = [:]
        var tags: [String: String] = [:]
        var seen: [SeenRequest] = []
    }

    private let state = Locked(State())

    public static let vulnerabilityReport = "application/vnd.security.vulnerability.report; version=1.1"
    static let adapterReport = "application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0"

    /// `robot` is the robot account (`robot$project+name`) and its secret.
    public init(robot username: String = "robot$library+scanrelay", secret: String = "robot-secret") {
        core = FakeUpstreamCore(auth: .basic(username: username, password: secret)) { status, message in
            ["errors": [["code": Self.errorCode(status), "message": message]]]
        }
    }

    /// Adds a project: a private one is visible only with the robot's credentials.
    public func addProject(_ name: String, isPublic: Bool = false) {
        state.withLock { state in
            if isPublic { state.publicProjects.insert(name) } else { state.privateProjects.insert(name) }
            return
        }
    }

    /// Adds a single-arch artifact of `repository` (`project/path`); `scan` scripts its vulnerability scan (nil:
    /// never scanned), `hasSBOM` gives it a finished SBOM scan too.
    public func addArtifact(repository: String, digest: String, tags: [String] = [], scan: FakeScan?, hasSBOM: Bool = false) {
        if let scan { core.register(key: "\(repository)@\(digest)", group: repository, scan: scan) }
        state.withLock { state in
            state.artifacts["\(repository)@\(digest)"] = Artifact(tags: tags, children: nil, hasSBOM: hasSBOM)
            for tag in tags { state.tags["\(repository):\(tag)"] = digest }
        }
    }

    /// Adds a multi-arch index whose children were added with ``addArtifact`` (attestation children need not be).
    public func addIndex(repository: String, digest: String, tags: [String] = [], children: [Child]) {
        state.withLock { state in
            state.artifacts["\(repository)@\(digest)"] = Artifact(tags: tags, children: children, hasSBOM: false)
            for tag in tags { state.tags["\(repository):\(tag)"] = digest }
        }
    }

    /// The artifact requests seen, oldest first, with the fields a test checks on the wire.
    public var seenRequests: [SeenRequest] { state.withLock { $0.seen } }

    public var router: Router {
        var router = Router()
        let core = core
        router.get("/api/v2.0/projects/{project}/repositories/{repository}/artifacts/{reference}", access: .open) { [self] request in
            let project = request.pathParameters["project"] ?? ""
            let once = request.pathParameters["repository"] ?? ""
            let reference = request.pathParameters["reference"] ?? ""
            state.withLock { state in
                if state.seen.count == FakeUpstreamCore.maxRecordedTargets { state.seen.removeFirst() }
                state.seen.append(SeenRequest(
                    target: request.target, authorization: request.headers["Authorization"],
                    acceptVulnerabilities: request.headers["X-Accept-Vulnerabilities"]))
            }
            return await core.serve(request, key: "\(project)/\(once)") {
                // The router decoded the path once; Harbor decodes the repository name a second time.
                guard !once.contains("/"), let path = once.removingPercentEncoding else {
                    return json(core.errorBody(404, "path \(request.path) was not found"), status: 404)
                }
                return answer(project: project, repository: "\(project)/\(path)", reference: reference, request: request)
            }
        }
        return router
    }

    private func answer(project: String, repository: String, reference: String, request: HTTPRequest) -> HTTPResponse {
        let authenticated = core.isAuthenticated(request)
        let (isPublic, isPrivate) = state.withLock { ($0.publicProjects.contains(project), $0.privateProjects.contains(project)) }
        // Permission checks run before the project is looked up: anonymous gets 401 for anything not public, a
        // robot 403 for a project that does not exist.
        guard isPublic || authenticated else {
            core.noteRejectedAuth()
            return json(core.errorBody(401, "unauthorized"), status: 401)
        }
        guard isPublic || isPrivate else { return json(core.errorBody(403, "forbidden"), status: 403) }
        let digest: String? = reference.hasPrefix("sha256:") ? reference : state.withLock { $0.tags["\(repository):\(reference)"] }
        guard let digest, let artifact = state.withLock({ $0.artifacts["\(repository)@\(digest)"] }) else {
            return json(core.errorBody(404, "artifact \(repository):\(reference) not found"), status: 404)
        }
        let reportType = Self.reportType(request.headers["X-Accept-Vulnerabilities"])
        var body: [String: Any] = [
            "id": abs(digest.hashValue % 10_000), "digest": digest, "repository_name": repository,
            "push_time": "2025-07-29T02:58:00.000Z", "pull_time": "0001-01-01T00:00:00.000Z",
        ]
        if !artifact.tags.isEmpty {
            body["tags"] = artifact.tags.enumerated().map { ["id": $0.offset + 1, "name": $0.element, "immutable": false] }
        }
        if let children = artifact.children {
            body["manifest_media_type"] = "application/vnd.oci.image.index.v1+json"
            body["references"] = children.map { child -> [String: Any] in
                var reference: [String: Any] = [
                    "child_digest": child.digest,
                    "platform": ["os": child.isAttestation ? "unknown" : "linux",
                                 "architecture": child.isAttestation ? "unknown" : child.architecture],
                ]
                if child.isAttestation {
                    reference["annotations"] = ["vnd.docker.reference.type": "attestation-manifest",
                                                "vnd.docker.reference.digest": children.first?.digest ?? ""]
                }
                return reference
            }
            if let merged = mergedOverview(repository: repository, children: children.filter { !$0.isAttestation }) {
                body["scan_overview"] = [reportType: merged]
            }
        } else {
            body["manifest_media_type"] = "application/vnd.oci.image.manifest.v1+json"
            if let found = core.read("\(repository)@\(digest)") {
                body["scan_overview"] = [reportType: Self.summary(found.scan, found.state, reads: core.reads("\(repository)@\(digest)") ?? 1,
                                                                  reportId: artifact.reportId)]
            }
            if artifact.hasSBOM {
                body["sbom_overview"] = [
                    "report_id": artifact.sbomReportId, "scan_status": "Success", "sbom_digest": "sha256:" + String(repeating: "9", count: 64),
                    "duration": 5, "start_time": "2025-07-29T03:00:01.000Z", "end_time": "2025-07-29T03:00:06.000Z",
                    "scanner": ["name": "Trivy", "vendor": "Aqua Security", "version": "v0.65.0"],
                ]
            }
        }
        return json(body, status: 200)
    }

    /// A `NativeReportSummary` after `reads` reads: `Pending` at the first, `Running` until the scan finishes.
    /// Empty fields are omitted, as the API does for a report that is not `Success`.
    private static func summary(_ scan: FakeScan, _ state: FakeScanState, reads: Int, reportId: String) -> [String: Any] {
        var summary: [String: Any] = ["report_id": reportId, "start_time": FakeIDs.rfc3339(scan.createdAt)]
        switch state {
        case .running:
            summary["scan_status"] = reads <= 1 ? "Pending" : "Running"
            summary["duration"] = reads
        case .finished(.failed):
            summary["scan_status"] = "Error"
            summary["end_time"] = FakeIDs.rfc3339(scan.createdAt + 3)
            summary["duration"] = 3
        case .finished(.completed(let findings)):
            let counts = ["Critical": findings.critical, "High": findings.high, "Medium": findings.medium, "Low": findings.low]
                .filter { $0.value > 0 }
            let order = ["Critical", "High", "Medium", "Low"]
            summary["scan_status"] = "Success"
            summary["severity"] = order.first { counts[$0] != nil } ?? "None"
            summary["summary"] = ["total": counts.values.reduce(0, +), "fixable": 0, "summary": counts]
            summary["complete_percent"] = 100
            summary["end_time"] = FakeIDs.rfc3339(scan.createdAt + 9)
            summary["duration"] = 9
            summary["scanner"] = ["name": "Trivy", "vendor": "Aqua Security", "version": "v0.65.0"]
        }
        return summary
    }

    /// The index's overview as Harbor merges it: absent while a child has no report; `Running` if any runs; else
    /// `Success` if any one succeeded (not all!).
    private func mergedOverview(repository: String, children: [Child]) -> [String: Any]? {
        let states = children.map { core.peek("\(repository)@\($0.digest)") }
        guard !states.isEmpty, states.allSatisfy({ ($0?.reads ?? 0) > 0 }) else { return nil }
        let finished = states.compactMap { $0 }.filter { $0.state != .running }
        let succeeded = finished.filter { if case .finished(.completed) = $0.state { true } else { false } }
        let status = finished.count < states.count ? "Running" : succeeded.isEmpty ? "Error" : "Success"
        return ["report_id": Data(UUID().uuidString.utf8).base64EncodedString(), "scan_status": status,
                "complete_percent": succeeded.count * 100 / states.count, "duration": 4]
    }

    /// The first report type of the header Harbor recognises; both when absent, 1.1 first; 1.0 when none is known.
    private static func reportType(_ header: String?) -> String {
        guard let header else { return vulnerabilityReport }
        let known = header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .first { $0 == vulnerabilityReport || $0 == adapterReport }
        return known ?? adapterReport
    }

    private static func errorCode(_ status: Int) -> String {
        switch status {
        case 400: "BAD_REQUEST"
        case 401: "UNAUTHORIZED"
        case 403: "FORBIDDEN"
        case 404: "NOT_FOUND"
        case 409: "CONFLICT"
        case 429: "TOO_MANY_REQUEST"
        default: "UNKNOWN"
        }
    }
}
