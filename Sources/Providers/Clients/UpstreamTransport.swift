import CurlClient
import Foundation

/// One request to an upstream, as the provider clients build it (the fields mirror the ones they set).
struct UpstreamRequest: Sendable {
    var url: URL
    var httpMethod = "GET"
    var httpBody: Data?
    private(set) var headers: [(name: String, value: String)] = []

    init(url: URL) {
        self.url = url
    }

    /// Sets `name` to `value`, replacing an earlier value of the same field.
    mutating func setValue(_ value: String, forHTTPHeaderField name: String) {
        headers.removeAll { $0.name.lowercased() == name.lowercased() }
        headers.append((name, value))
    }
}

/// One upstream answer, whole.
struct UpstreamResponse: Sendable {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: Data

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// Sends one upstream's requests through the process's libcurl client, with that upstream's proxy and TLS settings,
/// and turns every failure into an `UpstreamError` that names no URL and no header.
///
/// Redirects are not followed (a 3xx is an answer, so a credential is never replayed to a host configuration did not
/// name); nothing is cached and no cookies are kept. `requestTimeout` bounds each exchange whole; a task cancelled
/// while it waits (a watch deleted, a shutdown) closes its transfer.
final class UpstreamTransport: Sendable {
    /// Answers larger than this are refused while they arrive (the transfer is closed there): scan resources are a
    /// few KiB, a findings report rarely 1 MiB.
    static let maxBodyBytes = 8 << 20

    private let client = CurlHTTPClient.shared
    private let options: CurlOptions
    private let timeout: Duration
    private let connectTimeout: Duration

    /// Connections need no bound here: the scheduler runs at most `poll.concurrencyPerSource` polls of a source at
    /// once, and each has one request in flight.
    init(configuration: UpstreamConfiguration) {
        timeout = configuration.requestTimeout
        connectTimeout = configuration.connectTimeout
        let proxy: CurlOptions.Proxy =
            switch configuration.proxy {
            case .environment: .environment
            case .url(let url): .url(url.absoluteString)
            case .none: .none
            }
        let tls = configuration.tls
        options = CurlOptions(
            proxy: proxy,
            tls: CurlOptions.TLS(caFile: tls.caFile, certFile: tls.certFile, keyFile: tls.keyFile))
    }

    func send(_ request: UpstreamRequest) async throws(UpstreamError) -> UpstreamResponse {
        let outbound = CurlRequest(
            method: request.httpMethod, url: request.url.absoluteString, headers: request.headers,
            body: request.httpBody.map(Array.init), timeout: timeout, connectTimeout: connectTimeout,
            maxBodyBytes: Self.maxBodyBytes)
        do {
            let response = try await client.send(outbound, options: options)
            return UpstreamResponse(status: response.status, headers: response.headers, body: Data(response.body))
        } catch {
            throw Self.map(error)
        }
    }

    private static func map(_ error: CurlClientError) -> UpstreamError {
        switch error {
        case .timeout: .timeout
        case .bodyTooLarge(let limit): .malformed("answer larger than \(limit) bytes")
        default: .transport(error.description)
        }
    }
}
