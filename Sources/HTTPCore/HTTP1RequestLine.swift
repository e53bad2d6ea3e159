/// The request line `method SP request-target SP HTTP-version` (RFC 9112 §3), parsed strictly.
struct HTTP1RequestLine: Sendable {
    var method: HTTPMethod
    var target: String
    var version: HTTPVersion

    /// Parses a line without its CRLF.
    init(parsing line: [UInt8]) throws(HTTP1ParseError) {
        guard let firstSpace = line.firstIndex(of: HTTPCharacters.space),
            let secondSpace = line[(firstSpace + 1)...].firstIndex(of: HTTPCharacters.space)
        else { throw .badRequest("malformed request line") }
        let methodBytes = line[..<firstSpace]
        let targetBytes = line[(firstSpace + 1)..<secondSpace]
        // The version is checked first so that an HTTP/2 preface or a future version gets 505, not 400.
        version = try Self.version(line[(secondSpace + 1)...])
        guard !methodBytes.isEmpty, methodBytes.allSatisfy(HTTPCharacters.isToken) else {
            throw .badRequest("method is not a token")
        }
        method = HTTPMethod(String(decoding: methodBytes, as: UTF8.self))
        guard !targetBytes.isEmpty, targetBytes.allSatisfy(HTTPCharacters.isTarget) else {
            throw .badRequest("invalid request target")
        }
        let isAsterisk = targetBytes.count == 1 && targetBytes.first == UInt8(ascii: "*")
        guard targetBytes.first == UInt8(ascii: "/") || (isAsterisk && method == .options) else {
            throw .badRequest("request target must be origin-form")
        }
        target = String(decoding: targetBytes, as: UTF8.self)
    }

    private static func version(_ bytes: ArraySlice<UInt8>) throws(HTTP1ParseError) -> HTTPVersion {
        let prefix = "HTTP/".utf8
        guard bytes.count == 8, bytes.starts(with: prefix) else { throw .badRequest("malformed HTTP version") }
        let major = bytes[bytes.startIndex + 5], dot = bytes[bytes.startIndex + 6], minor = bytes[bytes.startIndex + 7]
        let digits = UInt8(ascii: "0")...UInt8(ascii: "9")
        guard digits.contains(major), dot == UInt8(ascii: "."), digits.contains(minor) else {
            throw .badRequest("malformed HTTP version")
        }
        switch (major, minor) {
        case (UInt8(ascii: "1"), UInt8(ascii: "1")): return .http1_1
        case (UInt8(ascii: "1"), UInt8(ascii: "0")): return .http1_0
        default: throw HTTP1ParseError(status: .httpVersionNotSupported, reason: "only HTTP/1.0 and HTTP/1.1 are supported")
        }
    }
}
