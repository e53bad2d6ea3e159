import Foundation
import Providers
import ScanCore

/// A request to follow one scan by polling its upstream until it ends, as `POST /v1/watches` creates it.
public struct Watch: Sendable, Equatable {
    public enum State: String, Sendable, Codable, CaseIterable {
        /// Before the first poll (the scan is not expected to be done yet, or a webhook is awaited).
        case waiting
        case polling
        /// The scan reached a terminal state, by poll or by webhook.
        case done
        /// `maxWatchAge` passed first.
        case expired
        /// Stopped by `DELETE`.
        case cancelled

        public var isActive: Bool { self == .waiting || self == .polling }
    }

    public var id: String
    public var source: String
    public var ref: ScanRef
    public var imageSizeBytes: Int64?
    public var expectWebhook: Bool
    public var scanStartedAt: Date
    public var state: State
    /// The normalized id of the scan followed, once one is known.
    public var scanId: String?
    public var createdAt: Date
    /// Nil once the watch has ended.
    public var nextPollAt: Date?
    /// Upstream calls made for this watch, failed ones included.
    public var polls: Int
    /// The last poll's failure (with the upstream's own message), cleared by a successful poll.
    public var lastError: String?

    public init(
        id: String, source: String, ref: ScanRef, imageSizeBytes: Int64? = nil, expectWebhook: Bool = false,
        scanStartedAt: Date, state: State = .waiting, scanId: String? = nil, createdAt: Date, nextPollAt: Date? = nil,
        polls: Int = 0, lastError: String? = nil
    ) {
        self.id = id
        self.source = source
        self.ref = ref
        self.imageSizeBytes = imageSizeBytes
        self.expectWebhook = expectWebhook
        self.scanStartedAt = scanStartedAt
        self.state = state
        self.scanId = scanId
        self.createdAt = createdAt
        self.nextPollAt = nextPollAt
        self.polls = polls
        self.lastError = lastError
    }
}

/// The API's JSON: times in RFC 3339, absent values as `null` so every watch has the same keys.
extension Watch: Codable {
    private enum CodingKeys: String, CodingKey {
        case id, source, ref, imageSizeBytes, expectWebhook, scanStartedAt, state, scanId, createdAt, nextPollAt
        case polls, lastError
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func date(_ key: CodingKeys) throws -> Date? {
            guard let text = try c.decodeIfPresent(String.self, forKey: key) else { return nil }
            guard let date = RFC3339.parse(text) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "not an RFC 3339 time")
            }
            return date
        }
        guard let createdAt = try date(.createdAt), let scanStartedAt = try date(.scanStartedAt) else {
            throw DecodingError.dataCorruptedError(forKey: .createdAt, in: c, debugDescription: "times missing")
        }
        self.init(
            id: try c.decode(String.self, forKey: .id), source: try c.decode(String.self, forKey: .source),
            ref: try c.decode(ScanRef.self, forKey: .ref),
            imageSizeBytes: try c.decodeIfPresent(Int64.self, forKey: .imageSizeBytes),
            expectWebhook: try c.decodeIfPresent(Bool.self, forKey: .expectWebhook) ?? false,
            scanStartedAt: scanStartedAt, state: try c.decode(State.self, forKey: .state),
            scanId: try c.decodeIfPresent(String.self, forKey: .scanId), createdAt: createdAt,
            nextPollAt: try date(.nextPollAt), polls: try c.decodeIfPresent(Int.self, forKey: .polls) ?? 0,
            lastError: try c.decodeIfPresent(String.self, forKey: .lastError)
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(source, forKey: .source)
        try c.encode(ref, forKey: .ref)
        try c.encode(imageSizeBytes, forKey: .imageSizeBytes)
        try c.encode(expectWebhook, forKey: .expectWebhook)
        try c.encode(RFC3339.format(scanStartedAt), forKey: .scanStartedAt)
        try c.encode(state, forKey: .state)
        try c.encode(scanId, forKey: .scanId)
        try c.encode(RFC3339.format(createdAt), forKey: .createdAt)
        try c.encode(nextPollAt.map(RFC3339.format), forKey: .nextPollAt)
        try c.encode(polls, forKey: .polls)
        try c.encode(lastError, forKey: .lastError)
    }
}
