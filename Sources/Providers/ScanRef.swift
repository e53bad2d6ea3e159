import ScanCore

/// Names, in a provider's own ids, the upstream scan a watch follows or a hint asks to re-fetch.
///
/// As JSON (a watch's `ref`) each case has its own keys, so the shape alone tells them apart:
/// - Binarly `{"productId", "imageId", "scanId"?}`: without `scanId`, the image's newest scan;
/// - Yandex `{"scanResultId"}`, or `{"imageId"}` for the image's last finished scan;
/// - OpsMx `{"projectId", "scanId", "type"}`;
/// - Harbor `{"repository", "reference"}`: `<project>/<repository path>` and a digest or tag; an index digest stands
///   for its children.
public enum ScanRef: Sendable, Hashable {
    case binarly(productId: String, imageId: String, scanId: String?)
    case yandexScan(scanResultId: String)
    case yandexImage(imageId: String)
    case opsmx(projectId: String, scanId: String, type: String)
    case harbor(repository: String, reference: String)

    public var provider: Provider {
        switch self {
        case .binarly: .binarly
        case .yandexScan, .yandexImage: .yandex
        case .opsmx: .opsmx
        case .harbor: .harbor
        }
    }

    /// The `upstreamId` of the scan this ref names, when it names exactly one (a ref by image does not).
    public var upstreamId: String? {
        switch self {
        case .binarly(_, _, let scanId): scanId
        case .yandexScan(let scanResultId): scanResultId
        case .yandexImage: nil
        case .opsmx(let projectId, let scanId, let type): "\(projectId)/\(type)/\(scanId)"
        case .harbor: nil
        }
    }

    /// The ref's fields as its JSON object has them.
    public var fields: [String: String] {
        switch self {
        case .binarly(let productId, let imageId, let scanId):
            var fields = ["productId": productId, "imageId": imageId]
            fields["scanId"] = scanId
            return fields
        case .yandexScan(let scanResultId): return ["scanResultId": scanResultId]
        case .yandexImage(let imageId): return ["imageId": imageId]
        case .opsmx(let projectId, let scanId, let type): return ["projectId": projectId, "scanId": scanId, "type": type]
        case .harbor(let repository, let reference): return ["repository": repository, "reference": reference]
        }
    }
}

extension ScanRef {
    /// The ref that re-fetches the scan an update describes, for a source with an upstream: a webhook's state is
    /// only a hint until the upstream confirms it (Harbor: the artifact, by digest). Nil for relays. The
    /// ref follows the update's provider (a relayed scan may carry Binarly ids); whether to poll at all is the
    /// receiving source's decision (it needs an `upstream` of that provider).
    public init?(refetching update: ScanUpdate) {
        switch update.provider {
        case .binarly:
            guard let productId = update.subject.productId else { return nil }
            self = .binarly(productId: productId, imageId: update.subject.imageId, scanId: update.upstreamId)
        case .yandex:
            self = .yandexScan(scanResultId: update.upstreamId)
        case .opsmx:
            // `<projectId>/<type>/<scanId>`; none of the three may contain `/`.
            let parts = update.upstreamId.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty }) else { return nil }
            self = .opsmx(projectId: String(parts[0]), scanId: String(parts[2]), type: String(parts[1]))
        case .harbor:
            guard let repository = update.subject.repository, let digest = update.subject.digest,
                  let ref = try? ScanRef(provider: .harbor, fields: ["repository": repository, "reference": digest])
            else { return nil }
            self = ref
        case .scanrelay:
            return nil
        }
    }
}

/// Why a `ref` does not fit its provider: a `422` that names the field (relative to `ref`).
public struct ScanRefError: Error, Equatable, Sendable, CustomStringConvertible {
    public let field: String
    public let problem: String

    public init(field: String, problem: String) {
        self.field = field
        self.problem = problem
    }

    public var description: String { "\(field): \(problem)" }
}

extension ScanRef {
    /// Ids travel into upstream URLs; real ones are short tokens (ULIDs, `crt...`, `0x29ab7`, `sourceScan`).
    public static let maximumIdLength = 256

    /// Validates a watch's `ref` object (as `JSONSerialization` yields it) for `provider`. Every key must belong
    /// to the shape — a misspelt `scanID` would otherwise silently turn a watch on one scan into a watch on the
    /// image's newest — and every value must be an id string.
    public init(provider: Provider, object: [String: Any]) throws(ScanRefError) {
        var fields: [String: String] = [:]
        for (key, value) in object {
            guard let text = value as? String else { throw ScanRefError(field: key, problem: "must be a string") }
            fields[key] = text
        }
        try self.init(provider: provider, fields: fields)
    }

    public init(provider: Provider, fields: [String: String]) throws(ScanRefError) {
        var reader = Reader(fields: fields)
        switch provider {
        case .binarly:
            self = .binarly(
                productId: try reader.required("productId"), imageId: try reader.required("imageId"),
                scanId: try reader.optional("scanId"))
        case .yandex:
            if fields["scanResultId"] != nil {
                self = .yandexScan(scanResultId: try reader.required("scanResultId"))
            } else if fields["imageId"] != nil {
                self = .yandexImage(imageId: try reader.required("imageId"))
            } else {
                throw ScanRefError(field: "scanResultId", problem: "a yandex ref needs scanResultId or imageId")
            }
        case .opsmx:
            self = .opsmx(
                projectId: try reader.required("projectId"), scanId: try reader.required("scanId"),
                type: try reader.required("type"))
        case .harbor:
            self = .harbor(repository: try reader.repository("repository"), reference: try reader.required("reference"))
        case .scanrelay:
            throw ScanRefError(field: "source", problem: "a \(provider.rawValue) source has no upstream API to watch")
        }
        try reader.rejectUnread()
    }

    /// Reads fields, remembering which were used so leftovers can be named.
    private struct Reader {
        var fields: [String: String]

        mutating func required(_ key: String) throws(ScanRefError) -> String {
            guard let value = try optional(key) else { throw ScanRefError(field: key, problem: "is required") }
            return value
        }

        mutating func optional(_ key: String) throws(ScanRefError) -> String? {
            guard let value = fields.removeValue(forKey: key) else { return nil }
            try ScanRef.validate(value, field: key)
            return value
        }

        /// A Harbor repository, `<project>/<repository path>`: several id segments joined by `/`.
        mutating func repository(_ key: String) throws(ScanRefError) -> String {
            guard let value = fields.removeValue(forKey: key) else { throw ScanRefError(field: key, problem: "is required") }
            guard value.utf8.count <= ScanRef.maximumIdLength else {
                throw ScanRefError(field: key, problem: "is longer than \(ScanRef.maximumIdLength) characters")
            }
            let segments = value.split(separator: "/", omittingEmptySubsequences: false)
            guard segments.count >= 2 else {
                throw ScanRefError(field: key, problem: "must be <project>/<repository>, such as library/nginx")
            }
            for segment in segments { try ScanRef.validate(String(segment), field: key) }
            return value
        }

        func rejectUnread() throws(ScanRefError) {
            if let key = fields.keys.sorted().first { throw ScanRefError(field: key, problem: "is not a field of this ref") }
        }
    }

    /// An id is an opaque token of visible ASCII that cannot change the shape of the upstream URL it goes into.
    static func validate(_ value: String, field: String) throws(ScanRefError) {
        guard !value.isEmpty else { throw ScanRefError(field: field, problem: "must not be empty") }
        guard value.utf8.count <= maximumIdLength else {
            throw ScanRefError(field: field, problem: "is longer than \(maximumIdLength) characters")
        }
        let forbidden = Set("/?#%\\".utf8)
        guard value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && !forbidden.contains($0) }), value != ".", value != ".." else {
            throw ScanRefError(field: field, problem: "must be an id: visible ASCII without / ? # % or \\")
        }
    }
}

/// Codable as the JSON object above, for the state journal. Decoding tells the provider by the keys present.
extension ScanRef: Codable {
    public init(from decoder: any Decoder) throws {
        let fields = try decoder.singleValueContainer().decode([String: String].self)
        let provider: Provider =
            fields["productId"] != nil ? .binarly : fields["projectId"] != nil ? .opsmx
            : fields["repository"] != nil ? .harbor : .yandex
        do {
            try self.init(provider: provider, fields: fields)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(fields)
    }
}
