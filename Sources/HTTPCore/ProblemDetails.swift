import JSONEscaping

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
        var out: [UInt8] = []
        out.reserveCapacity(64 + type.utf8.count + title.utf8.count + detail.utf8.count)
        out += #"{"type":"#.utf8
        JSONString.append(type, to: &out)
        out += #","title":"#.utf8
        JSONString.append(title, to: &out)
        out += #","status":"#.utf8
        out += String(status).utf8
        out += #","detail":"#.utf8
        JSONString.append(detail, to: &out)
        for key in extensions.keys.sorted() {
            out.append(UInt8(ascii: ","))
            JSONString.append(key, to: &out)
            out.append(UInt8(ascii: ":"))
            JSONString.append(extensions[key]!, to: &out)
        }
        out.append(UInt8(ascii: "}"))
        return out
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
