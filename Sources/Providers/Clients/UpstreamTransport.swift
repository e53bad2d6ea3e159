import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One upstream answer, whole.
struct UpstreamResponse: Sendable {
    var status: Int
    var headers: [String: String]
    var body: Data

    func header(_ name: String) -> String? {
        headers.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// Sends requests over one `URLSession` per upstream and turns every failure into an `UpstreamError`.
///
/// The session follows no redirects: an upstream's 3xx comes back as an answer, so a credential is never replayed
/// to a host that configuration did not name. Nothing is cached and no cookies are kept.
final class UpstreamTransport: Sendable {
    /// Answers larger than this are refused: scan resources are a few KiB, and a poll must not buffer without bound.
    static let maxBodyBytes = 8 << 20

    private let session: URLSession
    private let timeout: Duration

    init(timeout: Duration, maxConnections: Int) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = max(1, maxConnections)
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.timeoutIntervalForRequest = timeout.timeInterval
        configuration.timeoutIntervalForResource = timeout.timeInterval
        session = URLSession(configuration: configuration, delegate: RefuseRedirects(), delegateQueue: nil)
        self.timeout = timeout
    }

    deinit { session.finishTasksAndInvalidate() }

    func send(_ request: URLRequest) async throws(UpstreamError) -> UpstreamResponse {
        var request = request
        request.timeoutInterval = timeout.timeInterval
        request.httpShouldHandleCookies = false
        let data: Data, response: URLResponse
        do {
            (data, response) = try await session.data(for: request)
        } catch let error as URLError {
            throw Self.map(error)
        } catch {
            throw .transport(String(describing: type(of: error)))
        }
        guard let http = response as? HTTPURLResponse else { throw .transport("not an HTTP response") }
        guard data.count <= Self.maxBodyBytes else { throw .malformed("answer larger than \(Self.maxBodyBytes) bytes") }
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { headers[name] = value }
        }
        return UpstreamResponse(status: http.statusCode, headers: headers, body: data)
    }

    /// URL errors name the failure only: their `localizedDescription` may quote the URL, never a header.
    private static func map(_ error: URLError) -> UpstreamError {
        switch error.code {
        case .timedOut: .timeout
        case .cannotConnectToHost: .transport("connection refused")
        case .networkConnectionLost: .transport("connection lost")
        case .cannotFindHost, .dnsLookupFailed: .transport("host not found")
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
             .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot:
            .transport("TLS failure")
        case .badServerResponse: .transport("bad server response")
        case .cancelled: .transport("cancelled")
        default: .transport("URL error \(error.code.rawValue)")
        }
    }
}

private final class RefuseRedirects: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(
        _ session: URLSession,
        task: URLSessionTask,
        willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest,
        completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}

extension Duration {
    /// Seconds as a `TimeInterval`, for Foundation APIs.
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
