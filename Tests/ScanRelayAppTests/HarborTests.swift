import FakeUpstreams
import Foundation
import ProviderFixtures
import ScanCore
import Testing
@testable import ScanRelayApp

/// Harbor end to end over real sockets: its real webhook payloads posted byte for byte, a simulated Harbor API polled
/// with a robot account, multi-arch images judged by `scanrelay wait`.
@Suite("Harbor: real webhooks, the artifact API, multi-arch images")
struct HarborTests {
    static let authHeader = "Basic aGFyYm9yOnNlY3JldA=="
    static let robot = "robot$library+scanrelay"
    static let robotSecret = "s3cret-robot"

    /// `harbor-*` of the shared `ProviderFixtures`: the real payloads (`harbor-default-scanning-*`,
    /// `harbor-cloudevents-scanning-*`, identical to `../shared/fixtures/harbor-real/`) and others in their shape.
    static func fixture(_ name: String) throws -> [UInt8] {
        try ProviderFixtures.bytes(name)
    }

    /// An app with a `harbor` source (polling `upstream` when given, every poll time in milliseconds) verifying
    /// Harbor's Auth Header.
    static func start(upstream: URL? = nil) async throws -> RunningApp {
        try await RunningApp.start { configuration in
            configuration.poll = PollConfiguration(
                expectedDuration: [PollConfiguration.ExpectedDurationRow(
                    below: nil, duration: .init(min: .milliseconds(10), max: .milliseconds(20)))],
                unknownSize: .init(min: .milliseconds(10), max: .milliseconds(20)),
                interval: .init(min: .milliseconds(20), max: .milliseconds(50)),
                backoff: .init(base: .milliseconds(10), max: .milliseconds(40)))
            configuration.sources = [SourceConfiguration(
                name: "harbor", provider: .harbor,
                upstream: upstream.map { UpstreamSettings(baseURL: $0, auth: .basic(username: robot, password: robotSecret)) },
                webhook: WebhookSettings(verify: .token, tokens: [authHeader]))]
        }
    }

    static func post(_ app: RunningApp, _ body: [UInt8], contentType: String = "application/json") async throws -> TestResponse {
        try await app.request("POST", "/v1/webhooks/harbor", headers: [
            ("Content-Type", contentType), ("Authorization", authHeader), ("User-Agent", "Go-http-client/1.1"),
            ("Accept-Encoding", "gzip"),
        ], body: body)
    }

    static func path(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: ":-._")))!
    }

    /// Polls `target` until `done` holds for its JSON (bounded: 10 s).
    static func eventually(_ app: RunningApp, _ target: String, _ done: ([String: Any]) -> Bool) async throws -> [String: Any] {
        var last: [String: Any] = [:]
        for _ in 0..<200 {
            let response = try await app.get(target)
            last = response.json
            if response.status == 200, done(last) { return last }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("\(target) never reached the expected state: \(last)")
        return last
    }

    @Test func basicAuth_ReadsTheRobotSecretFromAFile() throws {
        let directory = try ConfigurationFixtures.TemporaryDirectory()
        let secret = try directory.write("harbor-robot", "\(Self.robotSecret)\n")
        let file = try directory.write("scanrelay.yaml", """
            sources:
              - name: harbor
                provider: harbor
                upstream:
                  baseURL: https://harbor.example.com
                  auth: { basic: { username: "\(Self.robot)", passwordFile: \(secret) } }
                webhook: { verify: token, token: "\(Self.authHeader)" }
            """)
        let configuration = try ConfigurationLoader(environment: [:]).load(file: file)
        let auth = try #require(configuration.sources.first?.upstream?.auth)
        #expect(auth == .basic(username: Self.robot, password: Self.robotSecret))
        #expect(!auth.description.contains(Self.robotSecret), "secrets stay out of descriptions")
    }

    // MARK: Real payloads, no upstream

    @Test(arguments: [
        ("harbor-default-scanning-completed", "application/json", "harbor:c86fb19c-0168-4aca-9921-17ff04d53612", "completed"),
        ("harbor-default-scanning-failed", "application/json", "harbor:7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d", "failed"),
        ("harbor-cloudevents-scanning-stopped", "application/cloudevents+json", "harbor:0d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a", "cancelled"),
    ])
    func realPayloadWithAReport_IsRecordedAsItIs_WithoutAnUpstream(fixture: String, contentType: String, scanId: String, status: String) async throws {
        let app = try await Self.start()
        let body = try Self.fixture(fixture)
        let response = try await Self.post(app, body, contentType: contentType)
        #expect(response.status == 202 && response.json["scanId"] as? String == scanId && response.json["duplicate"] as? Bool == false)
        let scan = try await app.get("/v1/scans/\(Self.path(scanId))?view=full")
        #expect(scan.json["status"] as? String == status && scan.json["scanType"] as? String == "vulnerability")
        #expect(scan.json["via"] as? String == "webhook")
        // Harbor's retry resends the same bytes: acknowledged, not applied again.
        let retry = try await Self.post(app, body, contentType: contentType)
        #expect(retry.status == 200 && retry.json["duplicate"] as? Bool == true)
        #expect(try await app.get("/v1/scans/\(Self.path(scanId))").json["revision"] as? Int == 1)
        try await app.stop()
    }

    @Test func realScheduledScan_IsAHint_ThatASourceWithoutUpstreamCannotActOn() async throws {
        let app = try await Self.start()
        let response = try await Self.post(app, try Self.fixture("harbor-cloudevents-scanning-completed-scheduled"),
                                           contentType: "application/cloudevents+json")
        #expect(response.status == 422 && response.header("Content-Type") == "application/problem+json")
        #expect(app.app.store.count == 0)
        try await app.stop()
    }

    @Test func vulnerabilityAndSBOMFailures_OfOneDigestInOneSecond_AreBothKept() async throws {
        let app = try await Self.start()
        let vulnerability = try await Self.post(app, try Self.fixture("harbor-default-scanning-failed"))
        let sbom = try await Self.post(app, try Self.fixture("harbor-default-sbom-failed"))
        #expect(vulnerability.status == 202 && vulnerability.json["duplicate"] as? Bool == false)
        #expect(sbom.status == 202 && sbom.json["duplicate"] as? Bool == false, "a different event, not a retry")
        let digest = "sha256:" + String(repeating: "3", count: 64)
        let scans = try await app.get("/v1/images/\(Self.path("library/api@\(digest)"))/scans").json["scans"] as? [[String: Any]] ?? []
        #expect(Set(scans.compactMap { $0["id"] as? String })
            == ["harbor:7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d", "harbor:\(digest)/sbom"])
        #expect(Set(scans.compactMap { $0["scanType"] as? String }) == ["vulnerability", "sbom"])
        try await app.stop()
    }

    @Test func sbomEvent_LeavesTheVulnerabilityScanUnchanged_AndGivesWaitNoVerdict() async throws {
        let app = try await Self.start()
        let vulnerabilityId = "harbor:c86fb19c-0168-4aca-9921-17ff04d53612"
        #expect(try await Self.post(app, try Self.fixture("harbor-default-scanning-completed")).status == 202)
        let before = try await app.get("/v1/scans/\(Self.path(vulnerabilityId))").json
        let sbom = try await Self.post(app, try Self.fixture("harbor-default-sbom-completed"))
        let digest = "sha256:6094a544c2e2b6d4d5c1a1d0e8e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1"
        #expect(sbom.status == 202 && sbom.json["scanId"] as? String == "harbor:\(digest)/sbom")
        let after = try await app.get("/v1/scans/\(Self.path(vulnerabilityId))").json
        #expect(after["revision"] as? Int == before["revision"] as? Int && after["status"] as? String == "completed")
        #expect((after["findings"] as? [String: Any])?["high"] as? Int == 2)
        let sbomScan = try await app.get("/v1/scans/\(Self.path("harbor:\(digest)/sbom"))").json
        #expect(sbomScan["scanType"] as? String == "sbom" && sbomScan["findings"] is NSNull)
        // The SBOM scan is the image's newest, but `wait` judges the vulnerability scan (High 2: fails on high).
        let wait = try await CLIProcess.run(["wait", "--server", "http://127.0.0.1:\(app.port)",
                                             "--image", "library/node@\(digest)", "--fail-on", "high", "--timeout", "10s"])
        #expect(wait.status == 1 && wait.stdout.hasPrefix("FAIL \(vulnerabilityId)"), "\(wait.stdout)\(wait.stderr)")
        try await app.stop()
    }

    // MARK: Through the simulated Harbor API

    @Test func scheduledScan_IsResolvedThroughTheAPI_DoubleEncodedAndWithTheRobotsBasicAuth() async throws {
        let harbor = FakeHarbor(robot: Self.robot, secret: Self.robotSecret)
        harbor.addProject("library")
        let digest = "sha256:" + String(repeating: "5", count: 64)
        harbor.addArtifact(repository: "library/team/web", digest: digest, tags: ["latest"],
                           scan: FakeScan(runningPolls: 0, outcome: .completed(FakeFindings(high: 1, low: 2))), hasSBOM: true)
        let app = try await Self.start(upstream: try await harbor.start())
        defer { harbor.stop() }
        // The real scheduled event, for a repository with a path below the project (`library/team/web`).
        let real = String(decoding: try Self.fixture("harbor-cloudevents-scanning-completed-scheduled"), as: UTF8.self)
        let nested = real.replacingOccurrences(of: #""name":"web","namespace":"library","repo_full_name":"library/web""#,
                                               with: #""name":"team/web","namespace":"library","repo_full_name":"library/team/web""#)
        #expect(nested != real)
        let response = try await Self.post(app, Array(nested.utf8), contentType: "application/cloudevents+json")
        #expect(response.status == 202 && response.json["scanId"] is NSNull, "a hint is resolved after the answer")

        let images = try await Self.eventually(app, "/v1/images/\(Self.path("library/team/web@\(digest)"))/scans") {
            ($0["scans"] as? [[String: Any]])?.count == 2
        }
        let scans = images["scans"] as? [[String: Any]] ?? []
        let vulnerability = scans.first { $0["scanType"] as? String == "vulnerability" }
        #expect(vulnerability?["status"] as? String == "completed" && vulnerability?["via"] as? String == "poll")
        #expect((vulnerability?["findings"] as? [String: Any])?["high"] as? Int == 1)
        #expect(scans.contains { $0["scanType"] as? String == "sbom" && $0["id"] as? String == "harbor:\(digest)/sbom" })

        let request = try #require(harbor.seenRequests.first)
        #expect(request.target == "/api/v2.0/projects/library/repositories/team%252Fweb/artifacts/\(digest)?with_scan_overview=true&with_sbom_overview=true")
        #expect(request.authorization == "Basic " + Data("\(Self.robot):\(Self.robotSecret)".utf8).base64EncodedString())
        #expect(request.acceptVulnerabilities == "application/vnd.security.vulnerability.report; version=1.1, application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0")
        try await app.stop()
    }

    @Test func harborWatch_ByTag_IsPolledPendingRunningToCompletion() async throws {
        let harbor = FakeHarbor(robot: Self.robot, secret: Self.robotSecret)
        harbor.addProject("library")
        let digest = "sha256:" + String(repeating: "7", count: 64)
        harbor.addArtifact(repository: "library/nginx", digest: digest, tags: ["1.27"],
                           scan: FakeScan(runningPolls: 3, outcome: .completed(FakeFindings(critical: 1))))
        let app = try await Self.start(upstream: try await harbor.start())
        defer { harbor.stop() }
        let created = try await app.postJSON("/v1/watches", #"{"source": "harbor", "ref": {"repository": "library/nginx", "reference": "1.27"}}"#)
        #expect(created.status == 201 && (created.json["ref"] as? [String: String]) == ["repository": "library/nginx", "reference": "1.27"])
        let id = try #require(created.json["id"] as? String)
        let watch = try await Self.eventually(app, "/v1/watches/\(id)") { $0["state"] as? String == "done" }
        #expect((watch["polls"] as? Int ?? 0) >= 4, "Pending, Running, Running, then Success")
        let scanId = try #require(watch["scanId"] as? String)
        let scan = try await app.get("/v1/scans/\(Self.path(scanId))").json
        #expect(scan["status"] as? String == "completed" && scan["upstreamStatus"] as? String == "Success")
        #expect((scan["subject"] as? [String: Any])?["imageId"] as? String == "library/nginx@\(digest)")
        // The first poll named the tag; once resolved, the watch follows the digest.
        #expect(harbor.seenRequests.first?.target.contains("/artifacts/1.27?") == true)
        #expect(harbor.seenRequests.last?.target.contains("/artifacts/\(digest)?") == true)
        try await app.stop()
    }

    @Test func wrongRobotSecret_OnAPrivateProject_IsShownOnTheWatch_AsHarborsAnonymous401() async throws {
        let harbor = FakeHarbor(robot: Self.robot, secret: "the-real-secret")
        harbor.addProject("library")
        harbor.addArtifact(repository: "library/nginx", digest: "sha256:" + String(repeating: "8", count: 64), tags: ["1"],
                           scan: FakeScan(runningPolls: 0))
        let app = try await Self.start(upstream: try await harbor.start())
        defer { harbor.stop() }
        let created = try await app.postJSON("/v1/watches", #"{"source": "harbor", "ref": {"repository": "library/nginx", "reference": "1"}}"#)
        let id = try #require(created.json["id"] as? String)
        let watch = try await Self.eventually(app, "/v1/watches/\(id)") { $0["lastError"] is String }
        let error = watch["lastError"] as? String ?? ""
        #expect(error.contains("401") && error.contains("wrong robot secret"), "\(error)")
        #expect(!error.contains("the-real-secret") && !error.contains(Self.robotSecret))
        #expect(harbor.core.rejectedAuthCount >= 1)
        try await app.stop()
    }

    @Test func multiArchWait_GivesAVerdictOnlyOnceEveryChildIsDone_TheWorstChildDeciding() async throws {
        let harbor = FakeHarbor(robot: Self.robot, secret: Self.robotSecret)
        harbor.addProject("library")
        let repository = "library/app"
        let (index, amd64, arm64, attestation) = ("sha256:" + String(repeating: "a", count: 64), "sha256:" + String(repeating: "b", count: 64),
                                                  "sha256:" + String(repeating: "c", count: 64), "sha256:" + String(repeating: "d", count: 64))
        harbor.addArtifact(repository: repository, digest: amd64, scan: FakeScan(runningPolls: 0, outcome: .completed(FakeFindings(high: 1))))
        // arm64 stays running until the test lets it finish.
        harbor.addArtifact(repository: repository, digest: arm64, scan: FakeScan(runningPolls: 1_000_000))
        harbor.addIndex(repository: repository, digest: index, tags: ["2.0"], children: [
            .init(digest: amd64, architecture: "amd64"), .init(digest: arm64, architecture: "arm64"),
            .init(digest: attestation, architecture: "unknown", isAttestation: true),
        ])
        let app = try await Self.start(upstream: try await harbor.start())
        defer { harbor.stop() }
        let created = try await app.postJSON("/v1/watches", #"{"source": "harbor", "ref": {"repository": "\#(repository)", "reference": "2.0"}}"#)
        let watchId = try #require(created.json["id"] as? String)
        let imagePath = "/v1/images/\(Self.path("\(repository)@\(index)"))/scans"
        let image = try await Self.eventually(app, imagePath) { ($0["scans"] as? [[String: Any]])?.count == 2 }
        #expect((image["index"] as? [String: Any])?["children"] as? [String] == ["\(repository)@\(amd64)", "\(repository)@\(arm64)"],
                "the attestation, which Harbor never scans, is left out")
        let server = "http://127.0.0.1:\(app.port)"
        let early = try await CLIProcess.run(["wait", "--server", server, "--image", "\(repository)@\(index)", "--fail-on", "high", "--timeout", "2s"])
        #expect(early.status == 2 && early.stdout.hasPrefix("TIMEOUT"), "amd64's finding is no verdict while arm64 runs: \(early.stdout)\(early.stderr)")

        harbor.addArtifact(repository: repository, digest: arm64, scan: FakeScan(runningPolls: 0, outcome: .completed(FakeFindings(low: 1))))
        let done = try await CLIProcess.run(["wait", "--server", server, "--image", "\(repository)@\(index)", "--fail-on", "high", "--timeout", "20s"])
        #expect(done.status == 1 && done.stdout.hasPrefix("FAIL index \(repository)@\(index) (2 child images)"), "\(done.stdout)\(done.stderr)")
        #expect(done.stdout.contains("1 finding at or above high"), "\(done.stdout)")
        let watch = try await Self.eventually(app, "/v1/watches/\(watchId)") { $0["state"] as? String == "done" }
        #expect(watch["state"] as? String == "done")
        let passing = try await CLIProcess.run(["wait", "--server", server, "--image", "\(repository)@\(index)", "--fail-on", "critical", "--timeout", "5s"])
        #expect(passing.status == 0 && passing.stdout == "PASS index \(repository)@\(index): all 2 child images pass\n", "\(passing.stdout)")
        try await app.stop()
    }
}
