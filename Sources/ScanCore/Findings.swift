/// Counts of findings by normalized severity. Upstream severities that are not one of the named five
/// (`None`, `Unknown`, anything new) count as `unknown`.
public struct Findings: Sendable, Hashable, Codable {
    public var critical: Int
    public var high: Int
    public var medium: Int
    public var low: Int
    public var negligible: Int
    public var unknown: Int
    /// Stored rather than computed because some upstreams report a total of their own.
    public var total: Int

    /// What a count may be. Upstreams send nonsense at times (negative numbers, 1e300); a trillion is beyond any
    /// real scan, and six counts below it sum into `total` without overflowing.
    public static let validCounts = 0..<1_000_000_000_000

    /// `total` defaults to the sum of the six counts.
    public init(
        critical: Int = 0, high: Int = 0, medium: Int = 0, low: Int = 0, negligible: Int = 0, unknown: Int = 0,
        total: Int? = nil
    ) {
        self.critical = critical
        self.high = high
        self.medium = medium
        self.low = low
        self.negligible = negligible
        self.unknown = unknown
        self.total = total ?? (critical + high + medium + low + negligible + unknown)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func count(_ key: CodingKeys) throws -> Int? {
            guard let count = try container.decodeIfPresent(Int.self, forKey: key) else { return nil }
            guard Self.validCounts.contains(count) else {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: container, debugDescription: "a count is a whole number from 0 to 999999999999")
            }
            return count
        }
        self.init(
            critical: try count(.critical) ?? 0, high: try count(.high) ?? 0, medium: try count(.medium) ?? 0,
            low: try count(.low) ?? 0, negligible: try count(.negligible) ?? 0, unknown: try count(.unknown) ?? 0,
            total: try count(.total)
        )
    }

    /// The counts in a fixed order, for comparisons.
    var counts: [Int] { [critical, high, medium, low, negligible, unknown, total] }
}
