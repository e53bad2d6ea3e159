/// The `wait` query parameter of `GET /v1/scans/{id}`: the configuration's duration syntax (`DurationSyntax`) in the
/// dialect `openapi.yaml` gives it — at most 9 digits, units up to `h` (`250ms`, `30s`, `5m`, `1h`).
enum WaitDuration {
    /// Long-polls are held for at most this long, whatever was asked.
    static let cap: Duration = .seconds(300)

    /// The duration, capped at `cap`; nil when the text is not of that shape.
    static func parse(_ text: String) -> Duration? {
        DurationSyntax.parse(text, maxDigits: 9, allowsDays: false).map { min($0, cap) }
    }
}
