import FakeUpstreams
import Foundation

/// The simulated scanners `demo` runs in-process, each on a free port, with scans that finish after a few polls.
struct DemoUpstreams {
    static let binarlyToken = "demo-binarly-token"
    static let yandexToken = "demo-yandex-iam-token"
    static let opsmxToken = "Bearer demo-opsmx-token"
    static let productId = "prod-demo"
    static let smallImage = "firmware-small"
    static let largeImage = "firmware-large"
    static let harborRobot = "robot$demo+scanrelay"
    static let harborSecret = "demo-robot-secret"
    /// A single-arch image that a scheduled Harbor scan reports; a multi-arch index of two platforms (amd64 with a
    /// high finding, arm64 clean) and a build attestation, watched through the API.
    static let harborWeb = (repository: "demo/web", digest: "sha256:" + String(repeating: "5", count: 64))
    static let harborApp = (repository: "demo/app", index: "sha256:" + String(repeating: "a", count: 64),
                            amd64: "sha256:" + String(repeating: "b", count: 64),
                            arm64: "sha256:" + String(repeating: "c", count: 64),
                            attestation: "sha256:" + String(repeating: "d", count: 64))

    let binarly = FakeBinarly(auth: .bearer(DemoUpstreams.binarlyToken))
    let yandex = FakeYandex(auth: .bearer(DemoUpstreams.yandexToken))
    let opsmx = FakeOpsMx(auth: .header(name: "X-OpsMx-Auth", value: DemoUpstreams.opsmxToken))
    let harbor = FakeHarbor(robot: DemoUpstreams.harborRobot, secret: DemoUpstreams.harborSecret)

    private(set) var binarlyURL = URL(fileURLWithPath: "/")
    private(set) var yandexURL = URL(fileURLWithPath: "/")
    private(set) var opsmxURL = URL(fileURLWithPath: "/")
    private(set) var harborURL = URL(fileURLWithPath: "/")
    /// Scan ids the fakes will report, for the watches and the printed commands.
    private(set) var smallScanId = ""
    private(set) var largeScanId = ""
    let opsmxProject = "demo-project"
    let opsmxScanId = "42"

    mutating func start() async throws {
        smallScanId = binarly.addScan(
            productId: Self.productId, imageId: Self.smallImage,
            FakeScan(runningPolls: 1, outcome: .completed(FakeFindings(high: 2, medium: 5, low: 9))))
        largeScanId = binarly.addScan(
            productId: Self.productId, imageId: Self.largeImage,
            FakeScan(runningPolls: 3, outcome: .completed(FakeFindings(high: 4, medium: 12, low: 30))))
        _ = opsmx.addScan(
            projectId: opsmxProject, scanId: opsmxScanId,
            FakeScan(runningPolls: 2, outcome: .completed(FakeFindings(medium: 1))))
        harbor.addProject("demo")
        harbor.addArtifact(repository: Self.harborWeb.repository, digest: Self.harborWeb.digest, tags: ["latest"],
                           scan: FakeScan(runningPolls: 0, outcome: .completed(FakeFindings(medium: 2, low: 3))), hasSBOM: true)
        let app = Self.harborApp
        harbor.addArtifact(repository: app.repository, digest: app.amd64,
                           scan: FakeScan(runningPolls: 2, outcome: .completed(FakeFindings(high: 1, medium: 4))))
        harbor.addArtifact(repository: app.repository, digest: app.arm64,
                           scan: FakeScan(runningPolls: 1, outcome: .completed(FakeFindings(low: 2))))
        harbor.addIndex(repository: app.repository, digest: app.index, tags: ["1.0"], children: [
            .init(digest: app.amd64, architecture: "amd64"), .init(digest: app.arm64, architecture: "arm64"),
            .init(digest: app.attestation, architecture: "unknown", isAttestation: true),
        ])
        binarlyURL = try await binarly.start()
        yandexURL = try await yandex.start()
        opsmxURL = try await opsmx.start()
        harborURL = try await harbor.start()
    }

    func stop() {
        binarly.stop()
        yandex.stop()
        opsmx.stop()
        harbor.stop()
    }
}
