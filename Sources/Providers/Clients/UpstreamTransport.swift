import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Locking

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
///
/// The request timeout is enforced here, not only by URLSession: swift-corelibs-foundation truncates
/// `timeoutInterval` to whole seconds before arming its timer, so a sub-second timeout fires at once and a 1.5 s
/// one after 1 s. URLSession's own timeout stays as a backstop, rounded up past ours.
final class UpstreamTransport: Sendable {
    /// Answers larger than this are refused before any decoding: scan resources are a few KiB. (URLSession has
    /// buffered the body by then; the request timeout bounds how much a misbehaving upstream can send.)
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
        configuration.timeoutIntervalForRequest = Self.backstop(timeout)
        configuration.timeoutIntervalForResource = Self.backstop(timeout)
        session = URLSession(configuration: configuration, delegate: RefuseRedirects(), delegateQueue: nil)
        self.timeout = timeout
    }

    deinit { session.finishTasksAndInvalidate() }

    func send(_ request: URLRequest) async throws(UpstreamError) -> UpstreamResponse {
        var request = request
        request.timeoutInterval = Self.backstop(timeout)
        request.httpShouldHandleCookies = false
        let (data, response) = try await exchange(request).get()
        guard let http = response as? HTTPURLResponse else { throw .transport("not an HTTP response") }
        guard data.count <= Self.maxBodyBytes else { throw .malformed("answer larger than \(Self.maxBodyBytes) bytes") }
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { headers[name] = value }
        }
        return UpstreamResponse(status: http.statusCode, headers: headers, body: data)
    }

    /// Runs one data task, ended by its answer, by `timeout` (the task is then cancelled) or by the calling task's
    /// cancellation — whichever comes first.
    private func exchange(_ request: URLRequest) async -> Result<(Data, URLResponse), UpstreamError> {
        let pending = Locked(Pending())
        // Resumes the caller once; the first outcome wins and stops the timer.
        let finish: @Sendable (Result<(Data, URLResponse), UpstreamError>) -> Bool = { result in
            let (continuation, timer) = pending.withLock { p in
                defer { p = Pending(finished: true) }
                return (p.continuation, p.timer)
            }
            timer?.cancel()
            guard let continuation else { return false }
            continuation.resume(returning: result)
            return true
        }
        let task = session.dataTask(with: request) { data, response, error in
            if let error {
                _ = finish(.failure((error as? URLError).map(Self.map) ?? .transport("request failed")))
            } else if let data, let response {
                _ = finish(.success((data, response)))
            } else {
                _ = finish(.failure(.transport("empty response")))
            }
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let timer = Task { [timeout] in
                    try await Task.sleep(for: timeout)
                    if finish(.failure(.timeout)) { task.cancel() }
                }
                let alreadyCancelled = pending.withLock { p in
                    p.continuation = continuation
                    p.timer = timer
                    return p.finished
                }
                if alreadyCancelled {
                    _ = finish(.failure(.transport("cancelled")))
                } else {
                    task.resume()
                }
            }
        } onCancel: {
            let resumed = finish(.failure(.transport("cancelled")))
            pending.withLock { $0.finished = true }
            if resumed { task.cancel() }
        }
    }

    /// The caller waiting for one exchange, and the timer that ends it.
    private struct Pending: Sendable {
        var continuation: CheckedContinuation<Result<(Data, URLResponse), UpstreamError>, Never>?
        var timer: Task<Void, any Error>?
        var finished = false
    }

    /// URLSession's own timeout: whole seconds, past ours, so ours always fires first.
    private static func backstop(_ timeout: Duration) -> TimeInterval {
        (timeout.timeInterval + 1).rounded(.up)
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
