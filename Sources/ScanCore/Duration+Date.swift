import Foundation

extension Duration {
    /// The duration in seconds, for Foundation's `Date` and `TimeInterval` APIs.
    public var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}

extension Date {
    public static func + (date: Date, duration: Duration) -> Date { date.addingTimeInterval(duration.timeInterval) }

    public static func - (date: Date, duration: Duration) -> Date { date.addingTimeInterval(-duration.timeInterval) }
}
