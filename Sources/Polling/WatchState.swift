import Foundation
import Providers

/// Everything a watch carries from one poll to the next: the watch as the API shows it, the ref its next poll reads
/// (its own, until a poll resolves it to one scan) and its run of failed polls (the backoff grows with it). Codable,
/// so a watch kept elsewhere — another replica's database row — is continued exactly where its last poll left it.
public struct WatchState: Sendable, Equatable, Codable {
    public var watch: Watch
    public var pollRef: ScanRef
    public var consecutiveErrors: Int

    public init(watch: Watch, pollRef: ScanRef? = nil, consecutiveErrors: Int = 0) {
        self.watch = watch
        self.pollRef = pollRef ?? watch.ref
        self.consecutiveErrors = consecutiveErrors
    }

    private enum CodingKeys: String, CodingKey { case watch, pollRef, consecutiveErrors, scanStartedAt }

    /// The watch's API form stops at whole seconds; `scanStartedAt` bounds which results a Yandex ref by image takes,
    /// so it is kept exactly beside it (seconds since the reference date: a JSON number carries a `Double` exactly).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        watch = try c.decode(Watch.self, forKey: .watch)
        pollRef = try c.decode(ScanRef.self, forKey: .pollRef)
        consecutiveErrors = try c.decode(Int.self, forKey: .consecutiveErrors)
        if let startedAt = try c.decodeIfPresent(Double.self, forKey: .scanStartedAt) {
            watch.scanStartedAt = Date(timeIntervalSinceReferenceDate: startedAt)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(watch, forKey: .watch)
        try c.encode(pollRef, forKey: .pollRef)
        try c.encode(consecutiveErrors, forKey: .consecutiveErrors)
        try c.encode(watch.scanStartedAt.timeIntervalSinceReferenceDate, forKey: .scanStartedAt)
    }

    /// The JSON kept for a watch.
    public func encoded() throws -> [UInt8] { Array(try JSONEncoder().encode(self)) }

    public static func decode(_ bytes: [UInt8]) throws -> WatchState {
        try JSONDecoder().decode(WatchState.self, from: Data(bytes))
    }
}
