import Foundation

/// A scripted upstream scan: answers "running" to its first `runningPolls` reads, then its `outcome` for good.
public struct FakeScan: Sendable {
    public enum Outcome: Sendable, Equatable {
        case completed(FakeFindings)
        case failed(reason: String)
    }

    public var runningPolls: Int
    public var outcome: Outcome
    public var createdAt: Date

    public init(runningPolls: Int, outcome: Outcome = .completed(FakeFindings()), createdAt: Date = Date()) {
        self.runningPolls = runningPolls
        self.outcome = outcome
        self.createdAt = createdAt
    }
}

/// Finding counts a fake reports when its scan completes.
public struct FakeFindings: Sendable, Equatable {
    public var critical, high, medium, low: Int
    public init(critical: Int = 0, high: Int = 0, medium: Int = 0, low: Int = 0) {
        self.critical = critical
        self.high = high
        self.medium = medium
        self.low = low
    }
}

/// A fault the next request answers with instead of (or before) its normal answer, one per request, in order.
public enum FakeFault: Sendable, Equatable {
    /// An error status with the provider's error body (500, 502, ...).
    case status(Int)
    /// `429` with this `Retry-After` value (seconds or an HTTP date), if any.
    case rateLimited(retryAfter: String?)
    /// The normal answer, but only after this long (past the client's timeout).
    case slow(Duration)
    /// `200` with a body that is not JSON.
    case malformedJSON
    /// `302 Found` pointing at another URL (a client must not follow it with its credentials).
    case redirect(to: String)
}

/// How a fake checks callers.
public enum FakeAuth: Sendable {
    case none
    /// `Authorization: Bearer <token>`.
    case bearer(String)
    /// A custom field with an exact value (OpsMx `X-OpsMx-Auth: Bearer <token>`).
    case header(name: String, value: String)
    /// Tokens from the fake's own token endpoint (`POST /oauth/token`, client credentials), valid `expiresIn`
    /// seconds by the token answer — or until `expireTokens()`.
    case oauth2(clientID: String, clientSecret: String, expiresIn: Int)
    /// `Authorization: Basic base64(username:password)`, Harbor style: a request without it or with a wrong one is
    /// not refused but runs as anonymous (the fake decides per project what anonymous may see).
    case basic(username: String, password: String)
}

/// The scan's state at one read.
enum FakeScanState: Equatable {
    case running
    case finished(FakeScan.Outcome)
}
