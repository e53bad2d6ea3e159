import JSONEscaping
import Logging

/// Builds one JSON object as text, fields in the order written.
struct JSONLineWriter {
    private var bytes: [UInt8] = [UInt8(ascii: "{")]
    private var first = true

    mutating func field(_ key: String, string: String) {
        separator()
        Self.appendString(key, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        Self.appendString(string, to: &bytes)
    }

    mutating func field(_ key: String, value: Logger.MetadataValue) {
        separator()
        Self.appendString(key, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        Self.append(value, to: &bytes)
    }

    /// The object, closed and followed by a newline.
    mutating func finish() -> String {
        bytes += "}\n".utf8
        return String(decoding: bytes, as: UTF8.self)
    }

    private mutating func separator() {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
    }

    /// Numbers and booleans stay JSON numbers and booleans; everything else is a string.
    static func append(_ value: Logger.MetadataValue, to bytes: inout [UInt8]) {
        switch value {
        case .string(let string):
            appendString(string, to: &bytes)
        case .stringConvertible(let convertible):
            switch convertible {
            case let number as any BinaryInteger: bytes += "\(number)".utf8
            case let number as Double where number.isFinite: bytes += "\(number)".utf8
            case let flag as Bool: bytes += (flag ? "true" : "false").utf8
            default: appendString(convertible.description, to: &bytes)
            }
        case .array(let values):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in values.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                append(element, to: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .dictionary(let dictionary):
            bytes.append(UInt8(ascii: "{"))
            for (index, key) in dictionary.keys.sorted().enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                appendString(key, to: &bytes)
                bytes.append(UInt8(ascii: ":"))
                append(dictionary[key]!, to: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// Also escapes what is valid raw in JSON but never left raw in a log line: DEL, the C1 controls, the
    /// separators some log viewers break lines at (U+0085, U+2028, U+2029) and the bidirectional controls.
    static func appendString(_ string: String, to bytes: inout [UInt8]) {
        JSONString.append(string, to: &bytes, alsoEscaping: UntrustedText.mustEscape)
    }
}
