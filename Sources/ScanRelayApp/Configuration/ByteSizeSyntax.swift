/// Sizes in configuration: bare bytes (`1048576`) or an integer with a unit, `64MiB`, `500MB`, `1KiB`, `512B`.
///
/// Both decimal (`KB`, `MB`, `GB`) and binary (`KiB`, `MiB`, `GiB`) units, written exactly so: `mb` or `Mb` would
/// leave a reader guessing whether bits or bytes were meant.
public enum ByteSizeSyntax {
    /// What a valid size looks like, for error messages.
    public static let expected = "bytes, or an integer with a unit B, KB, MB, GB, KiB, MiB or GiB, such as 64MiB"

    private static let units: [(suffix: String, bytes: Int)] = [
        // Two- and three-letter units before `B`, so the longest suffix wins.
        ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30),
        ("KB", 1_000), ("MB", 1_000_000), ("GB", 1_000_000_000),
        ("B", 1),
    ]

    /// The number of bytes written in `text`, or `nil` when it is not of that shape or does not fit in an `Int`.
    public static func parse(_ text: String) -> Int? {
        let unit = units.first { text.hasSuffix($0.suffix) } ?? ("", 1)
        let digits = text.dropLast(unit.suffix.count)
        guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy(\.isASCIIDigit), let value = Int(digits) else {
            return nil
        }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: unit.bytes)
        return overflow ? nil : bytes
    }
}
