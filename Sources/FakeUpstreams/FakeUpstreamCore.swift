import Foundation
import HTTPCore
import HTTPServer
import Logging
import Locking

/// What every simulated scanner shares: scripted scans and their progress, faults on demand, auth checks, an OAuth2
/// token endpoint, and counters of requests and concurrency that tests assert on. The provider fakes add only their
/// routes and JSON shapes.
public final class FakeUpstreamCore: Sendable {
    struct Entry {
        var scan: FakeScan
        /// Scans listed together: a Binarly image's scans, a Yandex image's results.
        var group: String
        var reads = 0

        var state: FakeScanState { reads > scan.runningPolls ? .finished(scan.outcome) : .running }
    }

    struct State {
        var entries: [String: Entry] = [:]
        var faults: [FakeFault] = []
        var requests = 0
        var requestsByKey: [String: Int] = [:]
        var inFlight = 0
        var maxInFlight = 0
        var validTokens: Set<String> = []
        var tokenRequests = 0
        var rejectedAuth = 0
        var issued = 0
        var targets: [String] = []
    }

    /// Request targets kept for inspection (the most recent ones).
    static let maxRecordedTargets = 1000

    let auth: FakeAuth
    let state = Locked(State())
    let server = Locked<HTTPServer?>(nil)
    /// Renders an error body in the provider's documented shape.
    let errorBody: @Sendable (_ status: Int, _ message: String) -> [String: Any]

    init(auth: FakeAuth, errorBody: @escaping @Sendable (Int, String) -> [String: Any]) {
        self.auth = auth
        self.errorBody = errorBody
    }

    // MARK: Scripting

    func register(key: String, group: String, scan: FakeScan) {
        state.withLock { $0.entries[key] = Entry(scan: scan, group: group) }
    }

    /// Queues faults: each of the next requests to a scan route answers with one, in order.
    public func inject(_ faults: FakeFault...) { state.withLock { $0.faults += faults } }

    /// Invalidates every issued OAuth2 token: calls answer 401 until the client fetches a new one.
    public func expireTokens() { state.withLock { $0.validTokens.removeAll() } }

    // MARK: Counters

    public var requestCount: Int { state.withLock { $0.requests } }
    public var maxInFlight: Int { state.withLock { $0.maxInFlight } }
    public var tokenRequestCount: Int { state.withLock { $0.tokenRequests } }
    /// Requests refused for missing or wrong credentials.
    public var rejectedAuthCount: Int { state.withLock { $0.rejectedAuth } }
    /// The request targets (path and query, as sent) of the most recent scan requests, oldest first.
    public var recentTargets: [String] { state.withLock { $0.targets } }
    /// Requests that reached the scan registered under `key` (whatever they were answered).
    public func requestCount(forKey key: String) -> Int { state.withLock { $0.requestsByKey[key, default: 0] } }

    // MARK: Serving

    /// Runs a scan route: counts it, checks auth, applies the next fault, then answers with `body` (called once the
    /// request is admitted; it reads and advances the scripted scans).
    func serve(_ request: HTTPRequest, key: String, _ body: @Sendable () -> HTTPResponse) async -> HTTPResponse {
        state.withLock { state in
            state.requests += 1
            state.requestsByKey[key, default: 0] += 1
            if state.targets.count == Self.maxRecordedTargets { state.targets.removeFirst() }
            state.targets.append(request.target)
            state.inFlight += 1
            state.maxInFlight = max(state.maxInFlight, state.inFlight)
        }
        defer { state.withLock { $0.inFlight -= 1 } }
        guard isAuthorized(request) else {
            state.withLock { $0.rejectedAuth += 1 }
            return json(errorBody(401, "Token is invalid or has expired."), status: 401)
        }
        switch state.withLock({ $0.faults.isEmpty ? nil : $0.faults.removeFirst() }) {
        case .status(let code)?:
            return json(errorBody(code, "Simulated failure \(code)."), status: code)
        case .rateLimited(let retryAfter)?:
            var response = json(errorBody(429, "Too many requests."), status: 429)
            if let retryAfter { response.headers.set("Retry-After", retryAfter) }
            return response
        case .slow(let delay)?:
            try? await Task.sleep(for: delay)
            return body()
        case .redirect(let location)?:
            return HTTPResponse(status: HTTPStatus(code: 302), headers: ["Location": location], bytes: [])
        case .malformedJSON?:
            return HTTPResponse(status: .ok, headers: ["Content-Type": "application/json"], bytes: Array("{\"id\": ".utf8))
        case nil:
            return body()
        }
    }

    /// Reads a scan once (advancing it), or nil when none is registered under `key`.
    func read(_ key: String) -> (scan: FakeScan, state: FakeScanState, group: String)? {
        state.withLock { state in
            guard var entry = state.entries[key] else { return nil }
            entry.reads += 1
            state.entries[key] = entry
            return (entry.scan, entry.state, entry.group)
        }
    }

    /// Reads every scan of a group once, newest first, with their keys.
    func readGroup(_ group: String) -> [(key: String, scan: FakeScan, state: FakeScanState)] {
        state.withLock { state in
            var read: [(key: String, scan: FakeScan, state: FakeScanState)] = []
            for (key, var entry) in state.entries where entry.group == group {
                entry.reads += 1
                state.entries[key] = entry
                read.append((key, entry.scan, entry.state))
            }
            return read.sorted { $0.scan.createdAt > $1.scan.createdAt }
        }
    }

    /// The findings of the newest scan of a group that completed (as far as it has been read), without reading it.
    func latestFindings(_ group: String) -> FakeFindings? {
        state.withLock { state in
            state.entries.values.filter { $0.group == group }.sorted { $0.scan.createdAt > $1.scan.createdAt }
                .lazy.compactMap { entry -> FakeFindings? in
                    guard case .finished(.completed(let findings)) = entry.state else { return nil }
                    return findings
                }.first
        }
    }

    private func isAuthorized(_ request: HTTPRequest) -> Bool {
        switch auth {
        case .none:
            return true
        case .bearer(let token):
            return request.headers["Authorization"] == "Bearer \(token)"
        case .header(let name, let value):
            return request.headers[name] == value
        case .basic:
            return true // checked by the fake itself, per project (see `isAuthenticated`)
        case .oauth2:
            guard let value = request.headers["Authorization"], value.hasPrefix("Bearer ") else { return false }
            let token = String(value.dropFirst(7))
            return state.withLock { $0.validTokens.contains(token) }
        }
    }

    /// Whether the request carries the configured basic credentials (anonymous otherwise).
    func isAuthenticated(_ request: HTTPRequest) -> Bool {
        guard case .basic(let username, let password) = auth else { return false }
        return request.headers["Authorization"] == "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
    }

    /// Counts a request refused for its credentials (or their absence).
    func noteRejectedAuth() { state.withLock { $0.rejectedAuth += 1 } }

    /// How often the scan under `key` has been read, without reading it.
    func reads(_ key: String) -> Int? { state.withLock { $0.entries[key]?.reads } }

    /// The state of the scan under `key` after `reads` reads, without reading it.
    func peek(_ key: String) -> (scan: FakeScan, state: FakeScanState, reads: Int)? {
        state.withLock { state in state.entries[key].map { ($0.scan, $0.state, $0.reads) } }
    }

    /// `POST /oauth/token`: client credentials as form fields, answered like Keycloak.
    func issueToken(_ request: HTTPRequest) -> HTTPResponse {
        guard case .oauth2(let clientID, let clientSecret, let expiresIn) = auth else {
            return json(["error": "unsupported_grant_type"], status: 400)
        }
        let form = QueryParameters(Substring(String(decoding: request.body, as: UTF8.self)))
        guard request.headers["Content-Type"]?.hasPrefix("application/x-www-form-urlencoded") == true,
              form?["grant_type"] == "client_credentials", form?["client_id"] == clientID,
              form?["client_secret"] == clientSecret
        else {
            return json(["error": "invalid_client", "error_description": "Invalid client credentials"], status: 401)
        }
        let token = state.withLock { state in
            state.tokenRequests += 1
            state.issued += 1
            let token = "fake-token-\(state.issued)"
            state.validTokens.insert(token)
            return token
        }
        return json(["access_token": token, "token_type": "Bearer", "expires_in": expiresIn], status: 200)
    }
}

/// A JSON response from a JSONSerialization-compatible value.
func json(_ value: Any, status: Int) -> HTTPResponse {
    let data = (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])) ?? Data("null".utf8)
    return HTTPResponse(status: HTTPStatus(code: status), headers: ["Content-Type": "application/json"], bytes: Array(data))
}
