import Foundation

/// The scheduler's only view of time, so tests drive it with a manual clock.
public protocol PollClock: Sendable {
    var now: Date { get }
    /// Returns at `deadline` (at once if it has passed); throws `CancellationError` when the task is cancelled.
    func sleep(until deadline: Date) async throws
}

/// Wall-clock time: watch times are RFC 3339 instants users send and read.
public struct SystemPollClock: PollClock {
    public init() {}

    public var now: Date { Date() }

    public func sleep(until deadline: Date) async throws {
        let wait = deadline.timeIntervalSinceNow
        if wait > 0 { try await Task.sleep(for: .seconds(wait)) } else { try Task.checkCancellation() }
    }
}
