/// Durations in configuration, on the command line and in the API's `wait`: an integer and a unit, `250ms`, `30s`, `5m`, `24h`, `1d`.
///
/// No fractions, signs or spaces: one spelling per value keeps files greppable and errors unambiguous.
public enum DurationSyntax {
    /// What a valid duration looks like, for error messages.
    public static let expected = "an integer with a unit ms, s, m, h or d, such as 250ms, 30s, 5m, 24h"

    private static let units: [(suffix: String, milliseconds: Int64)] = [
        // `ms` before `m` and `s`, so the longest suffix wins.
        ("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000),
    ]

    /// The duration written in `text`, or `nil` when it is not `<digits><unit>` or does not fit in 64 bits.
    /// A narrower dialect (the API's `wait`: at most 9 digits, no `d`) limits `maxDigits` and `allowsDays`.
    public static func parse(_ text: String, maxDigits: Int = 18, allowsDays: Bool = true) -> Duration? {
        for unit in units where text.hasSuffix(unit.suffix) {
            if unit.suffix == "d" && !allowsDays { return nil }
            let digits = text.dropLast(unit.suffix.count)
            guard !digits.isEmpty, digits.count <= min(maxDigits, 18), digits.allSatisfy(\.isASCIIDigit),
                  let value = Int64(digits)
            else { return nil }
            let (milliseconds, overflow) = value.multipliedReportingOverflow(by: unit.milliseconds)
            return overflow ? nil : .milliseconds(milliseconds)
        }
        return nil
    }

    /// The shortest exact spelling of `duration` in whole milliseconds (`90s` → `90s`, `3600s` → `1h`).
    public static func format(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1_000 + duration.components.attoseconds / 1_000_000_000_000_000
        for unit in units.reversed() where milliseconds != 0 && milliseconds % unit.milliseconds == 0 {
            return "\(milliseconds / unit.milliseconds)\(unit.suffix)"
        }
        return "\(milliseconds)ms"
    }
}
