import Foundation
import ScanCore

/// Reads the `Scan`-shaped `data` of a `scanrelay` event straight from the parsed document, with the rules of
/// `ScanUpdate`'s `Decodable` conformance (ScanCore): `upstreamId`, `subject.imageId` and `status` required; every
/// other field optional, `null` as absent; each present value of the right JSON type or the whole scan refused;
/// times RFC 3339; counts whole numbers.
///
/// Why not `JSONDecoder`: the body is already parsed into a `JSONValue` tree to read `type`, and going through
/// `Decodable` meant re-serialising `data` and parsing it a second time — three quarters of a webhook's cost. Why not
/// the `JSONValue` tree either: its dictionaries hashed every key of the body to read each once (see `JSONDocument`).
enum RelayedScan {
    /// The one way a relayed scan is refused; the caller words the `400`.
    struct Invalid: Error {}

    /// The fields of a `Scan` read here, looked up together in one walk over `data`'s members.
    private static let scanKeys = JSONKeys(
        "source", "provider", "upstreamId", "subject", "status", "upstreamStatus", "createdAt", "updatedAt",
        "upstreamUpdatedAt", "completedAt", "findings", "score", "checks")
    private static let subjectKeys = JSONKeys(
        "imageId", "productId", "repository", "digest", "tag", "projectId", "imageSizeBytes")
    private static let findingsKeys = JSONKeys("critical", "high", "medium", "low", "negligible", "unknown", "total")
    private static let checkKeys = JSONKeys("name", "score", "reason", "url")

    static func update(_ node: JSONNode) throws(Invalid) -> ScanUpdate {
        let data = try members(node, scanKeys)
        // `upstreamUpdatedAt`, else `updatedAt` (read only then, as the `Decodable` conformance does).
        var upstreamTime = try time(data["upstreamUpdatedAt"])
        if upstreamTime == nil { upstreamTime = try time(data["updatedAt"]) }
        return ScanUpdate(
            source: try string(data["source"]) ?? "",
            provider: try provider(data["provider"]) ?? .scanrelay,
            upstreamId: try required(string(data["upstreamId"])),
            subject: try subject(required(data["subject"])),
            status: ScanStatus(parsing: try required(string(data["status"]))),
            upstreamStatus: try string(data["upstreamStatus"]),
            upstreamCreatedAt: try time(data["createdAt"]),
            upstreamUpdatedAt: upstreamTime,
            completedAt: try time(data["completedAt"]),
            findings: try findings(data["findings"]),
            score: try number(data["score"]),
            checks: try checks(data["checks"]) ?? [],
            via: .webhook
        )
    }

    private static func subject(_ value: JSONNode) throws(Invalid) -> ScanSubject {
        let fields = try members(value, subjectKeys)
        return ScanSubject(
            imageId: try required(string(fields["imageId"])),
            productId: try string(fields["productId"]),
            repository: try string(fields["repository"]),
            digest: try string(fields["digest"]),
            tag: try string(fields["tag"]),
            projectId: try string(fields["projectId"]),
            imageSizeBytes: try number(fields["imageSizeBytes"]).map { (size) throws(Invalid) in
                guard size >= 0, let whole = Int64(exactly: size) else { throw Invalid() }
                return whole
            }
        )
    }

    private static func findings(_ value: JSONNode?) throws(Invalid) -> Findings? {
        guard let value = present(value) else { return nil }
        let fields = try members(value, findingsKeys)
        // Bounded as every provider's counts are (`JSONValue.count`): a negative count means nothing, and six
        // counts near `Int.max` would trap when `Findings` sums them into `total`.
        func count(_ key: StaticString) throws(Invalid) -> Int? {
            guard let number = try number(fields[key]) else { return nil }
            guard let whole = JSONValue.number(number).count else { throw Invalid() }
            return whole
        }
        return Findings(
            critical: try count("critical") ?? 0, high: try count("high") ?? 0, medium: try count("medium") ?? 0,
            low: try count("low") ?? 0, negligible: try count("negligible") ?? 0, unknown: try count("unknown") ?? 0,
            total: try count("total"))
    }

    private static func checks(_ value: JSONNode?) throws(Invalid) -> [ScanCheck]? {
        guard let value = present(value) else { return nil }
        guard let items = value.items else { throw Invalid() }
        var checks: [ScanCheck] = []
        checks.reserveCapacity(items.count)
        for item in items {
            let fields = try members(item, checkKeys)
            checks.append(
                ScanCheck(
                    name: try required(string(fields["name"])), score: try number(fields["score"]),
                    reason: try string(fields["reason"]), url: try string(fields["url"])))
        }
        return checks
    }

    // MARK: Values, as `decodeIfPresent` reads them: absent and null are nil, another JSON type refuses the scan.

    private static func present(_ value: JSONNode?) -> JSONNode? {
        if let value, !value.isNull { value } else { nil }
    }

    private static func required<Value>(_ value: Value?) throws(Invalid) -> Value {
        guard let value else { throw Invalid() }
        return value
    }

    /// The object's members named `keys`; an object is required.
    private static func members(_ value: JSONNode, _ keys: JSONKeys) throws(Invalid) -> JSONMembers {
        guard let members = value.members(keys) else { throw Invalid() }
        return members
    }

    /// Empty strings are kept, as `JSONDecoder` keeps them (`JSONValue.string` would drop them).
    private static func string(_ value: JSONNode?) throws(Invalid) -> String? {
        guard let value = present(value) else { return nil }
        guard let text = value.text else { throw Invalid() }
        return text
    }

    private static func number(_ value: JSONNode?) throws(Invalid) -> Double? {
        guard let value = present(value) else { return nil }
        guard let number = value.number else { throw Invalid() }
        return number
    }

    private static func provider(_ value: JSONNode?) throws(Invalid) -> Provider? {
        guard let text = try string(value) else { return nil }
        guard let provider = Provider(rawValue: text) else { throw Invalid() }
        return provider
    }

    private static func time(_ value: JSONNode?) throws(Invalid) -> Date? {
        guard let value = present(value) else { return nil }
        // Read where the text lies: a timestamp is longer than a small string, so a `String` of it would allocate.
        guard let parsed = value.withText(RFC3339.parse(bytes:)) else { throw Invalid() }
        guard let date = parsed else { throw Invalid() }
        return date
    }
}
