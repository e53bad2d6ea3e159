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
        func count(_ key: CodingKeys) throws -> Int { try container.decodeIfPresent(Int.self, forKey: key) ?? 0 }
        self.init(
            critical: try count(.critical), high: try count(.high), medium: try count(.medium), low: try count(.low),
            negligible: try count(.negligible), unknown: try count(.unknown),
            total: try container.decodeIfPresent(Int.self, forKey: .total)
        )
    }

    /// The counts in a fixed order, for comparisons.
    var counts: [Int] { [critical, high, medium, low, negligible, unknown, total] }
}
