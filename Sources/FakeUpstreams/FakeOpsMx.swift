import Foundation
import HTTPCore

/// A simulated OpsMx SSD: `{basePath}/ssdservice/v1/scan/filedata?projectId=&type=&scanId=` answering the filedata
/// array (an OpenSSF Scorecard result), and `{"error": ...}` bodies — including the documented 500
/// "Resource not found." for an unknown scan.
public final class FakeOpsMx: FakeUpstream {
    public let core: FakeUpstreamCore
    /// Installs usually serve the API under `/gate`.
    public let basePath: String

    public init(auth: FakeAuth = .header(name: "X-OpsMx-Auth", value: "Bearer opsmx-token"), basePath: String = "/gate") {
        core = FakeUpstreamCore(auth: auth) { _, message in ["error": message] }
        self.basePath = basePath
    }

    @discardableResult
    public func addScan(projectId: String, type: String = "sourceScan", scanId: String, _ scan: FakeScan) -> String {
        let key = "\(projectId)/\(type)/\(scanId)"
        core.register(key: key, group: key, scan: scan)
        return key
    }

    public var router: Router {
        var router = Router()
        let core = core
        router.get("\(basePath)/ssdservice/v1/scan/filedata", access: .open) { request in
            let query = request.queryParameters
            guard let projectId = query?["projectId"], let type = query?["type"], let scanId = query?["scanId"] else {
                return json(["error": "Invalid input data."], status: 400)
            }
            let key = "\(projectId)/\(type)/\(scanId)"
            return await core.serve(request, key: key) {
                guard let (scan, state, _) = core.read(key) else { return json(["error": "Resource not found."], status: 500) }
                return json([Self.resultJSON(scan, state)], status: 200)
            }
        }
        return router
    }

    private static func resultJSON(_ scan: FakeScan, _ state: FakeScanState) -> [String: Any] {
        let (status, error): (String, String) = switch state {
        case .running: ("InProgress", "")
        case .finished(.completed): ("Completed", "")
        case .finished(.failed(let reason)): ("Failed", reason)
        }
        return [
            "scanName": "openssf", "scanTool": "Openssf", "status": status, "error": error,
            "metadata": ["repoName": "file:///tools/scanResult/unzipped-1525533629", "version": "v5.3.0", "score": 2.4],
            "data": state == .running ? [] : [[
                "score": 10, "reason": "no binaries found in the repo", "name": "Binary-Artifacts",
                "metadata": [
                    "url": "https://github.com/ossf/scorecard/blob/main/docs/checks.md#binary-artifacts",
                    "short": "Determines if the project has generated executable (binary) artifacts in the source repository.",
                ],
            ]],
        ]
    }
}
