import Glibc

/// The `Date` field line, formatted once a second instead of once per response (IMF-fixdate, RFC 9110 §5.6.7).
struct HTTPDateCache {
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n`.
    private(set) var fieldLine: [UInt8] = []
    private var second: time_t = -1

    /// Reformats when the wall-clock second changed; the coarse clock is a vDSO read, cheap enough per loop turn.
    mutating func refresh() {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME_COARSE, &now)
        guard now.tv_sec != second else { return }
        second = now.tv_sec
        fieldLine = Self.fieldLine(for: second)
    }

    static func fieldLine(for seconds: time_t) -> [UInt8] {
        var t = seconds
        var parts = tm()
        gmtime_r(&t, &parts)
        var out: [UInt8] = []
        out.reserveCapacity(37)
        out.append(contentsOf: "Date: \(days[Int(parts.tm_wday)]), ".utf8)
        appendTwoDigits(Int(parts.tm_mday), to: &out)
        out.append(contentsOf: " \(months[Int(parts.tm_mon)]) \(1900 + Int(parts.tm_year)) ".utf8)
        appendTwoDigits(Int(parts.tm_hour), to: &out)
        out.append(UInt8(ascii: ":"))
        appendTwoDigits(Int(parts.tm_min), to: &out)
        out.append(UInt8(ascii: ":"))
        appendTwoDigits(Int(parts.tm_sec), to: &out)
        out.append(contentsOf: " GMT\r\n".utf8)
        return out
    }

    private static func appendTwoDigits(_ value: Int, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "0") + UInt8(value / 10))
        out.append(UInt8(ascii: "0") + UInt8(value % 10))
    }
}
