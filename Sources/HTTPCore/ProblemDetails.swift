/// An RFC 9457 problem document, the body of every error this service answers.
public struct ProblemDetails: Sendable, Equatable {
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String
    /// Extra members (e.g. `field` for a validation error), written as JSON strings.
    public var extensions: [String: String]

    public init(status: HTTPStatus, detail: String, type: String = "about:blank", title: String? = nil, extensions: [String: String] = [:]) {
        self.type = type
        self.title = title ?? status.reason
        self.status = status.code
        self.detail = detail
        self.extensions = extensions
    }

    public static let contentType = "application/problem+json"

    /// The JSON bytes, members in a fixed order so responses are stable.
    public func jsonBytes() -> [UInt8] {
        var out = "{\"type\":\(JSONText.quoted(type)),\"title\":\(JSONText.quoted(title)),\"status\":\(status),\"detail\":\(JSONText.quoted(detail))"
        for key in extensions.keys.sorted() {
            out += ",\(JSONText.quoted(key)):\(JSONText.quoted(extensions[key]!))"
        }
        out += "}"
        return Array(out.utf8)
    }
}

extension HTTPResponse {
    /// An `application/problem+json` response.
    public static func problem(_ status: HTTPStatus, _ detail: String, type: String = "about:blank", extensions: [String: String] = [:], headers: HTTPHeaders = [:]) -> HTTPResponse {
        var h = headers
        h.set("Content-Type", ProblemDetails.contentType)
        // An error describes one moment: no cache may keep it and answer later requests with it.
        if !h.contains("Cache-Control") { h.set("Cache-Control", "no-store") }
        return HTTPResponse(status: status, headers: h, bytes: ProblemDetails(status: status, detail: detail, type: type, extensions: extensions).jsonBytes())
    }
}

/// Minimal JSON string quoting for the few places that write JSON by hand (error bodies on hot paths).
public enum JSONText {
    public static func quoted(_ s: String) -> String {
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20:
                let hex = String(c.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
        return out
    }
}
