import Foundation
import ScanCore

/// A parsed JSON document, for decoding upstream payloads whose shapes vary (two vocabularies, strings where
/// numbers were documented, fields that come and go). Decoders read it leniently and say what they expected.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Upstream payloads nest a few levels; deeper documents are refused (recursion stays shallow).
    public static let maximumDepth = 32

    /// Parses one strict JSON document; nil for anything else or for nesting deeper than `maximumDepth`.
    /// Strict because accepted bodies are kept and served verbatim as `raw`.
    public static func parse(_ bytes: [UInt8]) -> JSONValue? {
        JSONParser.parse(bytes, maximumDepth: maximumDepth).map { JSONValue($0) }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let fields) = self { return fields[key] } else { return nil }
    }

    public var object: [String: JSONValue]? {
        if case .object(let fields) = self { fields } else { nil }
    }

    public var array: [JSONValue]? {
        if case .array(let items) = self { items } else { nil }
    }

    /// A non-empty string value.
    public var string: String? {
        if case .string(let text) = self, !text.isEmpty { text } else { nil }
    }

    public var number: Double? {
        if case .number(let value) = self { value } else { nil }
    }

    /// A whole number small enough to convert without trapping (such as Harbor's `occur_at` seconds).
    public var integer: Int64? {
        guard case .number(let value) = self, abs(value) < 1e15, value.rounded() == value else { return nil }
        return Int64(value)
    }

    /// A count, whether sent as a JSON number or (as proto3 JSON sends int64) as a string of digits.
    /// Negative, fractional or absurd values (outside `Findings.validCounts`) are not counts.
    public var count: Int? {
        switch self {
        case .number(let value):
            guard let whole = Int(exactly: value), Findings.validCounts.contains(whole) else { return nil }
            return whole
        case .string(let text):
            guard (1...12).contains(text.utf8.count), text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  let whole = Int(text), Findings.validCounts.contains(whole) else { return nil }
            return whole
        default:
            return nil
        }
    }

    /// The value re-serialised, for `raw` when one body carries several scans.
    public var serialized: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? Array(encoder.encode(self))) ?? Array("null".utf8)
    }
}

/// Encodable for `serialized`; parsing goes through `JSONParser`, never `Decodable`.
extension JSONValue: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}
