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

    let binarly = FakeBinarly(auth: .bearer(DemoUpstreams.binarlyToken))
    let yandex = FakeYandex(auth: .bearer(DemoUpstreams.yandexToken))
    let opsmx = FakeOpsMx(auth: .header(name: "X-OpsMx-Auth", value: DemoUpstreams.opsmxToken))

    private(set) var binarlyURL = URL(fileURLWithPath: "/")
    private(set) var yandexURL = URL(fileURLWithPath: "/")
    private(set) var opsmxURL = URL(fileURLWithPath: "/")
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
        binarlyURL = try await binarly.start()
        yandexURL = try await yandex.start()
        opsmxURL = try await opsmx.start()
    }

    func stop() {
        binarly.stop()
        yandex.stop()
        opsmx.stop()
    }
}
