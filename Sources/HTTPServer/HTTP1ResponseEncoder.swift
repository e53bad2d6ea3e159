import HTTPCore

/// Serializes HTTP/1.1 response heads and chunks into a byte buffer, so a response leaves in one `write`.
enum HTTP1ResponseEncoder {
    /// How the body after the head is delimited.
    enum Framing: Equatable {
        case contentLength(Int)
        case chunked
        /// HTTP/1.0 streaming: the body ends when the connection closes.
        case untilClose
        /// 1xx, 204, 304: no content and no length.
        case none
    }

    /// What the `Connection` field says. HTTP/1.1 keep-alive is the default and needs no field.
    enum ConnectionField {
        case persistentByDefault
        case keepAlive
        case close
    }

    static let continueResponse = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
    static let lastChunk = Array("0\r\n\r\n".utf8)
    private static let crlf: [UInt8] = [13, 10]

    static func appendHead(
        status: HTTPStatus,
        headers: HTTPHeaders,
        framing: Framing,
        connection: ConnectionField,
        dateFieldLine: [UInt8],
        to out: inout [UInt8]
    ) {
        out.append(contentsOf: "HTTP/1.1 ".utf8)
        appendDecimal(status.code, to: &out)
        out.append(UInt8(ascii: " "))
        out.append(contentsOf: status.reason.utf8)
        out.append(contentsOf: crlf)
        out.append(contentsOf: "Server: scanrelay\r\n".utf8)
        out.append(contentsOf: dateFieldLine)
        for field in headers where !isOwnedByServer(field.name) {
            out.append(contentsOf: field.name.utf8)
            out.append(contentsOf: ": ".utf8)
            appendValue(field.value, to: &out)
            out.append(contentsOf: crlf)
        }
        switch framing {
        case .contentLength(let length):
            out.append(contentsOf: "Content-Length: ".utf8)
            appendDecimal(length, to: &out)
            out.append(contentsOf: crlf)
        case .chunked:
            out.append(contentsOf: "Transfer-Encoding: chunked\r\n".utf8)
        case .untilClose, .none:
            break
        }
        switch connection {
        case .persistentByDefault: break
        case .keepAlive: out.append(contentsOf: "Connection: keep-alive\r\n".utf8)
        case .close: out.append(contentsOf: "Connection: close\r\n".utf8)
        }
        out.append(contentsOf: crlf)
    }

    /// One chunk of a chunked body. Never called with no bytes: an empty chunk would end the body.
    static func appendChunk(_ bytes: [UInt8], to out: inout [UInt8]) {
        appendHex(bytes.count, to: &out)
        out.append(contentsOf: crlf)
        out.append(contentsOf: bytes)
        out.append(contentsOf: crlf)
    }

    /// Framing and connection management belong to the server; a handler's own copies would contradict them.
    private static func isOwnedByServer(_ name: String) -> Bool {
        switch name.utf8.count {
        case 4: fieldName(name, is: "date")
        case 6: fieldName(name, is: "server")
        case 10: fieldName(name, is: "connection")
        case 14: fieldName(name, is: "content-length")
        case 17: fieldName(name, is: "transfer-encoding")
        default: false
        }
    }

    /// True when a handler's `Connection` field says `close`.
    static func asksToClose(_ headers: HTTPHeaders) -> Bool {
        headers.contains { field in
            fieldName(field.name, is: "connection")
                && field.value.split(separator: ",").contains { fieldName(String($0.trimmingASCIISpaces()), is: "close") }
        }
    }

    /// ASCII case-insensitive comparison with a lower-case name. Specialized here: HTTPCore's generic
    /// `equalsIgnoringASCIICase` is not inlinable and costs runtime metadata lookups on every call.
    static func fieldName(_ name: String, is lowercased: String) -> Bool {
        let utf8 = name.utf8
        guard utf8.count == lowercased.utf8.count else { return false }
        return utf8.elementsEqual(lowercased.utf8) { byte, lower in
            (byte >= 65 && byte <= 90 ? byte | 0x20 : byte) == lower
        }
    }

    /// A value with CR or LF would split the head (response splitting); those bytes become spaces.
    private static func appendValue(_ value: String, to out: inout [UInt8]) {
        let utf8 = value.utf8
        if !utf8.contains(where: { $0 == 13 || $0 == 10 }) {
            out.append(contentsOf: utf8)
        } else {
            out.append(contentsOf: utf8.map { $0 == 13 || $0 == 10 ? UInt8(ascii: " ") : $0 })
        }
    }

    private static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        appendDigits(value, radix: 10, to: &out)
    }

    private static func appendHex(_ value: Int, to out: inout [UInt8]) {
        appendDigits(value, radix: 16, to: &out)
    }

    /// Digits without a String in between (this runs for every response).
    private static func appendDigits(_ value: Int, radix: Int, to out: inout [UInt8]) {
        precondition(value >= 0)
        var divisor = 1
        while value / divisor >= radix { divisor *= radix }
        var rest = value
        while divisor > 0 {
            let digit = rest / divisor
            out.append(digit < 10 ? UInt8(ascii: "0") + UInt8(digit) : UInt8(ascii: "a") + UInt8(digit - 10))
            rest %= divisor
            divisor /= radix
        }
    }
}
