import Foundation
import HTTPCore

/// A simulated Yandex Cloud Container Registry scanner: `scans/{scanResultId}` and
/// `images/{imageId}:lastScanResult`, with proto3 JSON (int64 counts as strings, zero counts omitted) and
/// gRPC-style error bodies.
public final class FakeYandex: FakeUpstream {
    public let core: FakeUpstreamCore

    public init(auth: FakeAuth = .bearer("yandex-iam-token")) {
        core = FakeUpstreamCore(auth: auth) { status, message in
            ["code": Self.grpcCode(status), "message": message,
             "details": [["@type": "type.googleapis.com/google.rpc.RequestInfo", "requestId": FakeIDs.ulid()]]]
        }
    }

    /// Registers a scan result of an image; `scan.createdAt` is reported as its `scannedAt`.
    @discardableResult
    public func addScan(imageId: String, scanResultId: String = "che" + FakeIDs.ulid().lowercased().prefix(17), _ scan: FakeScan) -> String {
        core.register(key: scanResultId, group: imageId, scan: scan)
        return scanResultId
    }

    public var router: Router {
        var router = Router()
        let core = core
        router.get("/container-registry/v1/scans/{scanResultId}", access: .open) { request in
            let id = request.pathParameters["scanResultId"] ?? ""
            return await core.serve(request, key: id) {
                guard let found = core.read(id) else {
                    return json(core.errorBody(404, "Scan result \(id) not found"), status: 404)
                }
                return json(Self.scanResultJSON(id: id, imageId: found.group, found.scan, found.state), status: 200)
            }
        }
        // The method rides on the last segment (`{imageId}:lastScanResult`), Google API style.
        router.get("/container-registry/v1/images/{imageAndMethod}", access: .open) { request in
            let segment = request.pathParameters["imageAndMethod"] ?? ""
            guard let colon = segment.lastIndex(of: ":"), segment[colon...] == ":lastScanResult" else {
                return json(core.errorBody(404, "Method not found"), status: 404)
            }
            let imageId = String(segment[..<colon])
            return await core.serve(request, key: imageId) {
                let finished = core.readGroup(imageId).first { $0.state != .running }
                guard let finished else { return json(core.errorBody(404, "Scan result not found"), status: 404) }
                return json(Self.scanResultJSON(id: finished.key, imageId: imageId, finished.scan, finished.state), status: 200)
            }
        }
        return router
    }

    private static func scanResultJSON(id: String, imageId: String, _ scan: FakeScan, _ state: FakeScanState) -> [String: Any] {
        var json: [String: Any] = ["id": id, "imageId": imageId, "scannedAt": FakeIDs.rfc3339(scan.createdAt, nanoseconds: true)]
        switch state {
        case .running:
            json["status"] = "RUNNING"
        case .finished(.failed):
            json["status"] = "ERROR"
        case .finished(.completed(let findings)):
            json["status"] = "READY"
            let counts = ["critical": findings.critical, "high": findings.high, "medium": findings.medium, "low": findings.low]
            json["vulnerabilities"] = counts.filter { $0.value != 0 }.mapValues(String.init)
        }
        return json
    }

    /// The gRPC status code Yandex puts in `code` for an HTTP status.
    private static func grpcCode(_ status: Int) -> Int {
        switch status {
        case 400: 3
        case 401: 16
        case 403: 7
        case 404: 5
        case 429: 8
        case 503, 502: 14
        default: 13
        }
    }
}
