import CurlClient
import Foundation
import Webhooks

/// What `demo` does through the service's own API once it runs: creates watches, sends signed sample webhooks.
struct DemoTraffic {
    let service: URL
    let upstreams: DemoUpstreams
    let secrets: DemoConfiguration.Secrets

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Ids the guide refers to.
    static let yandexScanId = "crpdemo0yandex0scan01"
    static let yandexImage = "crpdemo0image0000001"
    static let relayScanId = "pipeline-build-7"

    func run() async throws {
        // Watches: a small image (expected 1–3 s) and a large one (polled on schedule, never waiting for a webhook).
        try await post("/v1/watches", json: [
            "source": "binarly", "imageSizeBytes": 12 << 20,
            "ref": ["productId": DemoUpstreams.productId, "imageId": DemoUpstreams.smallImage, "scanId": upstreams.smallScanId],
        ])
        try await post("/v1/watches", json: [
            "source": "binarly", "imageSizeBytes": 2 << 30,
            "ref": ["productId": DemoUpstreams.productId, "imageId": DemoUpstreams.largeImage, "scanId": upstreams.largeScanId],
        ])
        try await post("/v1/watches", json: [
            "source": "harbor", "ref": ["repository": DemoUpstreams.harborApp.repository, "reference": "1.0"],
        ])
        try await post("/v1/watches", json: [
            "source": "opsmx", "ref": ["projectId": upstreams.opsmxProject, "scanId": upstreams.opsmxScanId, "type": "sourceScan"],
        ])
        // Webhooks, signed as each source expects.
        try await postWebhook(source: "yandex", body: Self.yandexScanResult, signing: .standardWebhooks(secrets.standardWebhooks))
        try await postWebhook(source: "relay", body: Self.relayEvent, signing: .standardWebhooks(secrets.standardWebhooks))
        try await postWebhook(source: "harbor", body: Self.harborEvent, signing: .authorization(secrets.harborToken))
    }

    enum Signing {
        case standardWebhooks(String)
        case authorization(String)
    }

    /// The headers that make `body` a valid delivery; Standard Webhooks signatures are valid for 5 minutes.
    static func headers(for body: String, signing: Signing) throws -> [(String, String)] {
        switch signing {
        case .standardWebhooks(let secret):
            let id = "msg_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
            let timestamp = Int64(Date().timeIntervalSince1970)
            let signature = try WebhookSigner.standardWebhooksSignature(
                id: id, timestamp: timestamp, body: Array(body.utf8), secret: secret)
            return [("webhook-id", id), ("webhook-timestamp", String(timestamp)), ("webhook-signature", signature)]
        case .authorization(let value):
            return [("Authorization", value)]
        }
    }

    private func postWebhook(source: String, body: String, signing: Signing) async throws {
        try await send("/v1/webhooks/\(source)", body: Data(body.utf8), headers: try Self.headers(for: body, signing: signing))
    }

    private func post(_ path: String, json: [String: Any]) async throws {
        try await send(path, body: try JSONSerialization.data(withJSONObject: json), headers: [])
    }

    private func send(_ path: String, body: Data, headers: [(String, String)]) async throws {
        let request = CurlRequest(
            method: "POST", url: service.appendingPathComponent(path).absoluteString,
            headers: [(name: "Content-Type", value: "application/json")] + headers.map { (name: $0.0, value: $0.1) },
            body: Array(body), timeout: .seconds(30), maxBodyBytes: 1 << 20)
        // The demo's own service, on this machine: never through a proxy.
        let response = try await CurlHTTPClient.shared.send(request, options: CurlOptions(proxy: .none))
        guard (200..<300).contains(response.status) else {
            throw Failure(description: "POST \(path) answered \(response.status): \(String(decoding: response.body, as: UTF8.self))")
        }
    }

    static var yandexScanResult: String {
        """
        {"id": "\(yandexScanId)", "imageId": "\(yandexImage)", "scannedAt": "\(RFC3339.now())", "status": "READY", \
        "vulnerabilities": {"critical": "1", "high": "3", "medium": "7"}}
        """
    }

    static var relayEvent: String {
        """
        {"type": "scan.completed", "data": {"upstreamId": "\(relayScanId)", "subject": {"imageId": "app-image-7"}, \
        "status": "completed", "upstreamUpdatedAt": "\(RFC3339.now())", \
        "findings": {"critical": 0, "high": 0, "medium": 2, "low": 4, "negligible": 0, "unknown": 0, "total": 6}}}
        """
    }

    /// A scheduled ("scan all") scan's event, shaped as Harbor sends it: `"scan": {}` and no report. A hint: the
    /// service reads the artifact from the (simulated) Harbor API.
    static let harborEvent = """
        {"specversion":"1.0","id":"\(UUID().uuidString.lowercased())","source":"/projects/8/webhook/policies/1",\
        "type":"harbor.scan.completed","datacontenttype":"application/json","time":"\(RFC3339.now())","data":{"resources":\
        [{"digest":"\(DemoUpstreams.harborWeb.digest)","tag":"latest","resource_url":"harbor.example.com/demo/web:latest"}],\
        "repository":{"name":"web","namespace":"demo","repo_full_name":"demo/web","repo_type":"private"},"scan":{}},\
        "operator":"harbor-jobservice","requestid":"\(UUID().uuidString.lowercased())"}
        """
}

enum RFC3339 {
    static func now() -> String {
        ISO8601DateFormatter().string(from: Date())
    }
}
