import Foundation
import HTTPCore

/// A simulated Binarly API v4: List Scans and Get Scan shaped as Binarly's documentation shows them, the image's
/// findings report (counts of its newest completed scan), plus an OAuth2 token endpoint at `/oauth/token` when its
/// auth is `.oauth2`.
public final class FakeBinarly: FakeUpstream {
    public let core: FakeUpstreamCore

    public init(auth: FakeAuth = .bearer("binarly-token")) {
        core = FakeUpstreamCore(auth: auth) { _, message in
            ["message": message, "details": [["reason": "SIMULATED", "field": "", "service": "fake-binarly"]]]
        }
    }

    /// Registers a scan of an image; returns its id (a ULID-like 26-character string unless given).
    @discardableResult
    public func addScan(productId: String, imageId: String, scanId: String = FakeIDs.ulid(), _ scan: FakeScan) -> String {
        core.register(key: "\(productId)/\(imageId)/\(scanId)", group: "\(productId)/\(imageId)", scan: scan)
        return scanId
    }

    public var router: Router {
        var router = Router()
        let core = core
        router.post("/oauth/token", access: .open) { request in core.issueToken(request) }
        router.get("/api/v4/products/{productId}/images/{imageId}/scans", access: .open) { request in
            let group = "\(request.pathParameters["productId"] ?? "")/\(request.pathParameters["imageId"] ?? "")"
            return await core.serve(request, key: group) {
                let scans = core.readGroup(group).map { entry in
                    Self.scanJSON(id: String(entry.key.split(separator: "/").last ?? ""), group: group, entry.scan,
                                  entry.state, withParent: false)
                }
                return json(["scans": scans], status: 200)
            }
        }
        router.get("/api/v4/products/{productId}/images/{imageId}/scans/{scanId}", access: .open) { request in
            let group = "\(request.pathParameters["productId"] ?? "")/\(request.pathParameters["imageId"] ?? "")"
            let scanId = request.pathParameters["scanId"] ?? ""
            return await core.serve(request, key: "\(group)/\(scanId)") {
                guard let (scan, state, _) = core.read("\(group)/\(scanId)") else {
                    return json(core.errorBody(404, "Scan not found."), status: 404)
                }
                return json(Self.scanJSON(id: scanId, group: group, scan, state, withParent: true), status: 200)
            }
        }
        router.post("/api/v4/products/{productId}/images/{imageId}/findingsReport:json", access: .open) { request in
            let group = "\(request.pathParameters["productId"] ?? "")/\(request.pathParameters["imageId"] ?? "")"
            return await core.serve(request, key: "\(group)/findingsReport") {
                guard let findings = core.latestFindings(group) else {
                    return json(core.errorBody(404, "No completed scan of this image."), status: 404)
                }
                let counts = ["critical": findings.critical, "high": findings.high, "medium": findings.medium,
                              "low": findings.low, "unspecified": 0]
                return json(["findingsBySeverity": counts.merging(["total": counts.values.reduce(0, +)]) { a, _ in a }],
                            status: 200)
            }
        }
        return router
    }

    private static func scanJSON(id: String, group: String, _ scan: FakeScan, _ state: FakeScanState, withParent: Bool) -> [String: Any] {
        let type: String = switch state {
        case .running: "in_progress"
        case .finished(.completed): "completed"
        case .finished(.failed): "failed"
        }
        var json: [String: Any] = [
            "id": id, "createTime": FakeIDs.rfc3339(scan.createdAt),
            "latestScanState": ["type": type, "updateTime": FakeIDs.rfc3339(Date())],
        ]
        if withParent {
            let ids = group.split(separator: "/", maxSplits: 1).map(String.init)
            json["parent"] = "products/\(ids.first ?? "")/images/\(ids.last ?? "")"
            json["author"] = "ci@example.com"
        }
        return json
    }
}
