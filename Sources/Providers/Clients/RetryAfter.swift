import Foundation
import HTTPCore

/// Parses `Retry-After` (RFC 9110 §10.2.3): a number of seconds or an HTTP date.
enum RetryAfter {
    /// The delay the field asks for, relative to `now`; nil when absent or unreadable. A date in the past is zero.
    static func parse(_ value: String?, now: Date) -> Duration? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            guard value.utf8.count <= 9, let seconds = Int64(value) else { return nil }
            return .seconds(seconds)
        }
        guard let seconds = HTTPDate.parse(value) else { return nil }
        let date = Date(timeIntervalSince1970: TimeInterval(seconds))
        return .milliseconds(Int64(max(0, date.timeIntervalSince(now)) * 1000))
    }
}
