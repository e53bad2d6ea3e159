#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// HTTP dates (RFC 9110 §5.6.7): IMF-fixdate written, the three forms a recipient must accept read. The one place
/// both HTTP versions' `Date` header and the upstream clients' `Retry-After` go through.
public enum HTTPDate {
    static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    static let longWeekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `Sun, 06 Nov 1994 08:49:37 GMT` for a time in seconds since 1970.
    public static func format(_ seconds: Int) -> String {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(weekdays[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }

    /// Seconds since 1970 of an IMF-fixdate, an RFC 850 date (`Sunday, 06-Nov-94 08:49:37 GMT`) or an asctime date
    /// (`Sun Nov  6 08:49:37 1994`); nil for anything else. A two-digit RFC 850 year more than 50 years ahead is taken
    /// as the past century's, as RFC 9110 asks.
    public static func parse(_ text: String) -> Int? {
        let words = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        var day: Int?, month: Int?, year: Int?, clock: String?
        if words.count == 6, words[5] == "GMT", words[0].hasSuffix(","), weekdays.contains(String(words[0].dropLast())) {
            (day, month, year, clock) = (Int(words[1]), months.firstIndex(of: words[2]), Int(words[3]), words[4])
            if words[1].count != 2 || words[3].count != 4 { return nil }
        } else if words.count == 4, words[3] == "GMT", words[0].hasSuffix(","),
            longWeekdays.contains(String(words[0].dropLast()))
        {
            let date = words[1].split(separator: "-").map(String.init)
            guard date.count == 3, date[0].count == 2, date[2].count == 2, let short = Int(date[2]) else { return nil }
            (day, month, clock) = (Int(date[0]), months.firstIndex(of: date[1]), words[2])
            year = fullYear(twoDigit: short)
        } else if words.count == 5, weekdays.contains(words[0]) {
            (month, day, clock, year) = (months.firstIndex(of: words[1]), Int(words[2]), words[3], Int(words[4]))
            if words[4].count != 4 { return nil }
        }
        guard let day, let month, let year, let clock, (1...31).contains(day) else { return nil }
        let time = clock.split(separator: ":").map { Int($0) }
        guard time.count == 3, clock.count == 8, let hour = time[0], let minute = time[1], let second = time[2],
            hour < 24, minute < 60, second < 61
        else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        return Int(timegm(&parts))
    }

    private static func fullYear(twoDigit: Int) -> Int {
        var now = time_t(time(nil))
        var parts = tm()
        gmtime_r(&now, &parts)
        let thisYear = Int(parts.tm_year) + 1900
        let candidate = thisYear - thisYear % 100 + twoDigit
        return candidate > thisYear + 50 ? candidate - 100 : candidate
    }

    /// The current date, formatted at most once a second: a value type each event loop or connection owns.
    public struct Clock: Sendable {
        private var second = -1
        public private(set) var text = ""

        public init() {}

        /// The current IMF-fixdate; reformatted when the wall-clock second changed (the coarse clock is a vDSO read).
        public mutating func current() -> String {
            var now = timespec()
            clock_gettime(CLOCK_REALTIME_COARSE, &now)
            if Int(now.tv_sec) != second {
                second = Int(now.tv_sec)
                text = HTTPDate.format(second)
            }
            return text
        }
    }
}
