import Logging

/// Builds one JSON object as text, fields in the order written (RFC 8259 string escaping).
struct JSONLineWriter {
    private var text = "{"
    private var first = true

    mutating func field(_ key: String, string: String) {
        separator()
        Self.appendString(key, to: &text)
        text += ":"
        Self.appendString(string, to: &text)
    }

    mutating func field(_ key: String, value: Logger.MetadataValue) {
        separator()
        Self.appendString(key, to: &text)
        text += ":"
        Self.append(value, to: &text)
    }

    /// The object, closed and followed by a newline.
    mutating func finish() -> String {
        text + "}\n"
    }

    private mutating func separator() {
        if !first { text += "," }
        first = false
    }

    /// Numbers and booleans stay JSON numbers and booleans; everything else is a string.
    static func append(_ value: Logger.MetadataValue, to text: inout String) {
        switch value {
        case .string(let string):
            appendString(string, to: &text)
        case .stringConvertible(let convertible):
            switch convertible {
            case let number as any BinaryInteger: text += "\(number)"
            case let number as Double where number.isFinite: text += "\(number)"
            case let flag as Bool: text += flag ? "true" : "false"
            default: appendString(convertible.description, to: &text)
            }
        case .array(let values):
            text += "["
            for (index, element) in values.enumerated() {
                if index > 0 { text += "," }
                append(element, to: &text)
            }
            text += "]"
        case .dictionary(let dictionary):
            text += "{"
            for (index, key) in dictionary.keys.sorted().enumerated() {
                if index > 0 { text += "," }
                appendString(key, to: &text)
                text += ":"
                append(dictionary[key]!, to: &text)
            }
            text += "}"
        }
    }

    static func appendString(_ string: String, to text: inout String) {
        text += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            // Controls, and the separators some log viewers break lines at (U+0085, U+2028, U+2029): valid raw in
            // JSON, but never left raw in a log line.
            case let control where UntrustedText.mustEscape(control):
                let hex = String(control.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }
}
