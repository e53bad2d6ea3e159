import Foundation

/// The wire form with the exact field names of `openapi.yaml`'s `Scan` and RFC 3339 dates, independent of the coder's date
/// strategy. Absent top-level values are written as `null`; `raw` is neither written nor read (see ``ScanJSON``).
extension Scan: Codable {
    enum CodingKeys: String, CodingKey {
        case id, source, provider, upstreamId, subject, scanType, status, upstreamStatus, createdAt, updatedAt
        case upstreamUpdatedAt, completedAt, findings, score, checks, via, revision
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            source: try container.decode(String.self, forKey: .source),
            provider: try container.decode(Provider.self, forKey: .provider),
            upstreamId: try container.decode(String.self, forKey: .upstreamId),
            subject: try container.decode(ScanSubject.self, forKey: .subject),
            scanType: try container.decodeIfPresent(String.self, forKey: .scanType),
            status: try container.decode(ScanStatus.self, forKey: .status),
            upstreamStatus: try container.decodeIfPresent(String.self, forKey: .upstreamStatus),
            createdAt: try container.decodeRFC3339(forKey: .createdAt),
            updatedAt: try container.decodeRFC3339(forKey: .updatedAt),
            upstreamUpdatedAt: try container.decodeRFC3339IfPresent(forKey: .upstreamUpdatedAt),
            completedAt: try container.decodeRFC3339IfPresent(forKey: .completedAt),
            findings: try container.decodeIfPresent(Findings.self, forKey: .findings),
            score: try container.decodeIfPresent(Double.self, forKey: .score),
            checks: try container.decodeIfPresent([ScanCheck].self, forKey: .checks) ?? [],
            via: try container.decode(ScanVia.self, forKey: .via),
            revision: try container.decode(UInt64.self, forKey: .revision)
        )
        id = try container.decodeIfPresent(String.self, forKey: .id) ?? id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(source, forKey: .source)
        try container.encode(provider, forKey: .provider)
        try container.encode(upstreamId, forKey: .upstreamId)
        try container.encode(subject, forKey: .subject)
        try container.encodeIfPresent(scanType, forKey: .scanType)
        try container.encode(status, forKey: .status)
        try container.encode(upstreamStatus, forKey: .upstreamStatus)
        try container.encode(RFC3339.format(createdAt), forKey: .createdAt)
        try container.encode(RFC3339.format(updatedAt), forKey: .updatedAt)
        try container.encode(upstreamUpdatedAt.map(RFC3339.format), forKey: .upstreamUpdatedAt)
        try container.encode(completedAt.map(RFC3339.format), forKey: .completedAt)
        try container.encode(findings, forKey: .findings)
        try container.encode(score, forKey: .score)
        try container.encode(checks, forKey: .checks)
        try container.encode(via, forKey: .via)
        try container.encode(revision, forKey: .revision)
    }
}

extension KeyedDecodingContainer {
    /// An RFC 3339 date string (any fraction up to nanoseconds, any offset).
    func decodeRFC3339(forKey key: Key) throws -> Date {
        let text = try decode(String.self, forKey: key)
        guard let date = RFC3339.parse(text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "not an RFC 3339 date: \(text)")
        }
        return date
    }

    func decodeRFC3339IfPresent(forKey key: Key) throws -> Date? {
        guard contains(key), try decodeNil(forKey: key) == false else { return nil }
        return try decodeRFC3339(forKey: key)
    }
}
