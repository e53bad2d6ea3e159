import CurlClient
import Foundation

/// The few ScanRelay API calls `wait` makes, over the same libcurl client the service polls upstreams with. Proxies
/// come from the environment (`https_proxy`, `NO_PROXY` …), as for any command-line HTTP client.
struct ServiceClient: Sendable {
    enum Failure: Error, CustomStringConvertible {
        /// The service could not be reached or answered garbage: worth a few retries.
        case transient(String)
        /// The service refused the request (auth, bad id): retrying cannot help.
        case refused(String)

        var description: String {
            switch self {
            case .transient(let text), .refused(let text): text
            }
        }
    }

    enum Answer<Value: Sendable>: Sendable {
        case value(Value, etag: String?)
        case notModified
        case notFound
    }

    /// Long-polls last up to a minute: leave room beyond it.
    static let requestTimeout = Duration.seconds(120)
    /// A page of an image's scans is far smaller; this only stops a wrong server from filling memory.
    static let maxAnswerBytes = 32 << 20

    let server: URL
    let token: String?

    init(server: URL, token: String?) {
        self.server = server
        self.token = token
    }

    /// `GET /v1/scans/{id}?wait=…`: answers when the scan differs from `etag` or turns terminal, else at `wait`;
    /// without `wait`, at once.
    func scan(id: String, wait: Duration?, etag: String?) async throws(Failure) -> Answer<ScanSnapshot> {
        let query = wait.map { "wait=\(max(1, $0.components.seconds))s" }
        return try await get("/v1/scans/\(Self.pathSegment(id))", query: query, etag: etag)
    }

    /// `GET /v1/images/{imageId}/scans`, newest first.
    func scans(ofImage imageId: String) async throws(Failure) -> Answer<ImageScans> {
        try await get("/v1/images/\(Self.pathSegment(imageId))/scans", query: nil, etag: nil)
    }

    /// One path segment: everything but unreserved characters and `:` percent-encoded, `/` included (`%2F`).
    static func pathSegment(_ text: String) -> String {
        var allowed = CharacterSet()
        allowed.insert(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    private func get<Value: Decodable & Sendable>(_ path: String, query: String?, etag: String?) async throws(Failure) -> Answer<Value> {
        let base = server.absoluteString.hasSuffix("/") ? String(server.absoluteString.dropLast()) : server.absoluteString
        guard let url = URL(string: base + path + (query.map { "?\($0)" } ?? "")) else {
            throw .refused("cannot form a URL from \(base) and \(path)")
        }
        var headers = [(name: "Accept", value: "application/json"), (name: "User-Agent", value: "scanrelay-wait")]
        if let token { headers.append((name: "Authorization", value: "Bearer \(token)")) }
        if let etag { headers.append((name: "If-None-Match", value: etag)) }
        let request = CurlRequest(
            url: url.absoluteString, headers: headers, timeout: Self.requestTimeout, maxBodyBytes: Self.maxAnswerBytes)
        let response: CurlResponse
        do {
            response = try await CurlHTTPClient.shared.send(request)
        } catch {
            throw .transient("cannot reach \(base): \(error)")
        }
        let data = Data(response.body)
        let status = response.status
        switch status {
        case 200:
            do {
                let value = try JSONDecoder().decode(Value.self, from: data)
                return .value(value, etag: response.header("ETag"))
            } catch {
                throw .transient("\(url.path) answered JSON that is not a ScanRelay scan: \(error)")
            }
        case 304: return .notModified
        case 404: return .notFound
        case 401, 403:
            throw .refused("\(base) refused the request (\(status)); pass a token with read scope: --token or SCANRELAY_TOKEN")
        case 500...599: throw .transient("\(base) answered \(status)")
        default: throw .refused("\(url.path) answered \(status): \(String(decoding: data.prefix(300), as: UTF8.self))")
        }
    }
}
