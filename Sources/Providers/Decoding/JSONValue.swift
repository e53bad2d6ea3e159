import Foundation

/// A parsed JSON document, for decoding upstream payloads whose shapes vary (two vocabularies, strings where
/// numbers were documented, fields that come and go). Decoders read it leniently and say what they expected.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Upstream payloads nest a few levels; Foundation's decoder spends time quadratic in the depth (a 1 KB body
    /// of 500 nested arrays costs seconds), so deeper documents are refused before decoding.
    public static let maximumDepth = 32

    /// Parses one JSON document; nil for anything that is not strict JSON or nests deeper than `maximumDepth`.
    /// Strict because accepted bodies are kept and served verbatim as `raw`: Foundation alone would also take a
    /// byte-order mark and trailing commas, which would make our own responses invalid JSON.
    public static func parse(_ bytes: [UInt8]) -> JSONValue? {
        guard let depth = prescan(bytes), depth <= maximumDepth else { return nil }
        return try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    /// The deepest nesting of arrays and objects (counting brackets outside strings), or nil when the text uses
    /// what Foundation tolerates but JSON forbids: a leading byte-order mark, a comma before `]` or `}`.
    static func prescan(_ bytes: [UInt8]) -> Int? {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return nil }
        var depth = 0, deepest = 0
        var inString = false, escaped = false
        var previous: UInt8 = 0  // the last byte outside strings that is not whitespace
        for byte in bytes {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): continue
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                deepest = max(deepest, depth)
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                if previous == UInt8(ascii: ",") { return nil }
                depth -= 1
            default: break
            }
            previous = byte
        }
        return deepest
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
    /// Negative, fractional or absurd values (a trillion or more: sums of such could overflow) are not counts.
    public var count: Int? {
        switch self {
        case .number(let value):
            guard value >= 0, value < 1e12, value.rounded() == value else { return nil }
            return Int(value)
        case .string(let text):
            guard (1...12).contains(text.utf8.count), text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            return Int(text)
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

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

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
