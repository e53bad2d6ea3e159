import CNGHTTP2
import HTTPCore

/// HTTP/1.1 `Upgrade: h2c` (RFC 7540 §3.2; removed from RFC 9113 but still sent by `nghttp -u` and some clients).
public enum HTTP2Upgrade {
    /// The answer to an accepted upgrade, written before the first HTTP/2 byte.
    public static let switchingProtocols: [UInt8] =
        Array("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n".utf8)

    /// The decoded `HTTP2-Settings` payload when `request` asks to upgrade to h2c, else nil (answer over HTTP/1.1).
    /// Needs `Upgrade: h2c`, `Connection: Upgrade, HTTP2-Settings` and exactly one valid `HTTP2-Settings` field.
    public static func settingsPayload(of request: HTTPRequest) -> [UInt8]? {
        let headers = request.headers
        guard request.version == .http1_1,
            headers.listContains("upgrade", token: "h2c"),
            headers.listContains("connection", token: "upgrade"),
            headers.listContains("connection", token: "http2-settings")
        else { return nil }
        let values = headers.values(for: "http2-settings")
        guard values.count == 1, let payload = decodeBase64URL(values[0].trimmingASCIISpaces()),
            payload.count % 6 == 0  // a SETTINGS payload is a list of 6-byte entries
        else { return nil }
        return payload
    }

    /// token68 in the base64url alphabet (RFC 4648 §5), padding optional.
    static func decodeBase64URL<Text: StringProtocol>(_ text: Text) -> [UInt8]? {
        var output: [UInt8] = []
        var accumulator: UInt32 = 0, bits = 0
        var sawPadding = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: "=") { sawPadding = true; continue }
            guard !sawPadding, let value = sextet(byte) else { return nil }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return bits < 6 ? output : nil  // a lone leftover sextet cannot come from whole bytes
    }

    private static func sextet(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "-"): 62
        case UInt8(ascii: "_"): 63
        default: nil
        }
    }
}

extension HTTP2Connection {
    /// Takes over an upgraded HTTP/1.1 request as stream 1 (half-closed: its body came with it) and starts its
    /// handler. Call after writing `HTTP2Upgrade.switchingProtocols`, then feed the bytes that followed the request
    /// (the client preface) to `receive(_:)`. Returns false if nghttp2 refuses the settings.
    public func upgrade(with request: HTTPRequest, settingsPayload: [UInt8]) -> Bool {
        let isHead = request.method == .head ? Int32(1) : 0
        let result = (settingsPayload + [0]).withUnsafeBufferPointer {
            nghttp2_session_upgrade2(session, $0.baseAddress, settingsPayload.count, isHead, nil)
        }
        guard result == 0 else { return false }
        let stream = HTTP2Stream(id: 1)
        stream.method = request.method.rawValue
        stream.path = request.target
        streams[1] = stream
        var upgraded = request
        upgraded.version = .http2
        for name in ["connection", "upgrade", "http2-settings"] { upgraded.headers.remove(name) }
        startHandler(for: upgraded, on: stream)
        return true
    }
}
