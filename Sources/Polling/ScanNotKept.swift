/// Why the scheduler's sink did not keep a polled scan. The watch counts the poll as failed, backs off and polls
/// again, so a result is never dropped while its watch ends as done.
public struct ScanNotKept: Error, Sendable, Equatable {
    public let reason: String

    public init(_ reason: String) {
        self.reason = reason
    }
}
