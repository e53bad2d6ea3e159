import Foundation

/// Identifiers and times in the shapes the real scanners use.
public enum FakeIDs {
    private static let crockford = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    /// A random 26-character Crockford base32 string, like Binarly's ULIDs.
    public static func ulid() -> String {
        String((0..<26).map { _ in crockford[Int.random(in: 0..<32)] })
    }

    /// RFC 3339 in UTC; with `nanoseconds`, nine fractional digits as Yandex sends them.
    static func rfc3339(_ date: Date, nanoseconds: Bool = false) -> String {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        var text = Date(timeIntervalSince1970: seconds).formatted(.iso8601)
        if text.hasSuffix("Z") { text.removeLast() }
        if nanoseconds {
            let nanos = Int(((date.timeIntervalSince1970 - seconds) * 1e9).rounded())
            text += "." + String(format: "%09d", min(nanos, 999_999_999))
        }
        return text + "Z"
    }
}
