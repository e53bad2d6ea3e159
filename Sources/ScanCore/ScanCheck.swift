/// One check of a scan that reports checks rather than findings (OpsMx: OpenSSF Scorecard and the like).
/// Absent fields are encoded as `null`.
public struct ScanCheck: Sendable, Hashable, Codable {
    public var name: String
    public var score: Double?
    public var reason: String?
    public var url: String?

    public init(name: String, score: Double? = nil, reason: String? = nil, url: String? = nil) {
        self.name = name
        self.score = score
        self.reason = reason
        self.url = url
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(score, forKey: .score)
        try container.encode(reason, forKey: .reason)
        try container.encode(url, forKey: .url)
    }
}
