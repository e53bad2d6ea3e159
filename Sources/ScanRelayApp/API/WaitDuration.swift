/// The `wait` query parameter of `GET /v1/scans/{id}`: an integer and a unit, `250ms`, `30s`, `5m`, `1h`.
enum WaitDuration {
    /// Long-polls are held for at most this long, whatever was asked.
    static let cap: Duration = .seconds(300)

    /// The duration, capped at `cap`; nil when the text is not of that shape.
    static func parse(_ text: String) -> Duration? {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        let unit = text.dropFirst(digits.count)
        guard !digits.isEmpty, digits.count <= 9, let value = Int64(digits) else { return nil }
        let duration: Duration
        switch unit {
        case "ms": duration = .milliseconds(value)
        case "s": duration = .seconds(value)
        case "m": duration = .seconds(value * 60)
        case "h": duration = .seconds(value * 3600)
        default: return nil
        }
        return min(duration, cap)
    }
}
