/// An HTTP/2 frame as it appears on the wire (RFC 9113 §4.1), for building client input and reading server output.
struct Frame: Equatable {
    enum Kind: UInt8 {
        case data = 0, headers, priority, rstStream, settings, pushPromise, ping, goaway, windowUpdate, continuation
    }
    static let endStream: UInt8 = 0x1
    static let ack: UInt8 = 0x1
    static let endHeaders: UInt8 = 0x4

    var type: UInt8
    var flags: UInt8
    var streamID: Int32
    var payload: [UInt8]

    var kind: Kind? { Kind(rawValue: type) }
    var endsStream: Bool { (kind == .data || kind == .headers) && flags & Frame.endStream != 0 }

    init(_ kind: Kind, flags: UInt8 = 0, streamID: Int32 = 0, payload: [UInt8] = []) {
        self.init(type: kind.rawValue, flags: flags, streamID: streamID, payload: payload)
    }

    init(type: UInt8, flags: UInt8, streamID: Int32, payload: [UInt8]) {
        self.type = type
        self.flags = flags
        self.streamID = streamID
        self.payload = payload
    }

    var bytes: [UInt8] {
        let length = payload.count
        return [UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF), type, flags]
            + UInt32(bitPattern: streamID).bigEndianBytes + payload
    }

    /// Parses whole frames from `bytes` starting at `offset`; returns them and where the first incomplete one starts.
    static func parse(_ bytes: [UInt8], from offset: Int = 0) -> (frames: [Frame], rest: Int) {
        var frames: [Frame] = []
        var index = offset
        while bytes.count - index >= 9 {
            let length = Int(bytes[index]) << 16 | Int(bytes[index + 1]) << 8 | Int(bytes[index + 2])
            guard bytes.count - index - 9 >= length else { break }
            let id = Int32(bitPattern: UInt32(bigEndianBytes: bytes[(index + 5)..<(index + 9)]) & 0x7FFF_FFFF)
            frames.append(Frame(type: bytes[index + 3], flags: bytes[index + 4], streamID: id,
                                payload: Array(bytes[(index + 9)..<(index + 9 + length)])))
            index += 9 + length
        }
        return (frames, index)
    }

    // MARK: Client frames

    static func settings(_ entries: [(UInt16, UInt32)] = []) -> Frame {
        Frame(.settings, payload: entries.flatMap { $0.0.bigEndianBytes + $0.1.bigEndianBytes })
    }

    static let settingsAck = Frame(.settings, flags: ack)

    /// HEADERS with END_HEADERS; fields as HPACK literals without indexing (RFC 7541 §6.2.2), no Huffman.
    static func headers(_ streamID: Int32, _ fields: [(String, String)], endStream: Bool = true) -> Frame {
        var block: [UInt8] = []
        for (name, value) in fields {
            block.append(0)
            block += hpackString(name) + hpackString(value)
        }
        return Frame(.headers, flags: endHeaders | (endStream ? Frame.endStream : 0), streamID: streamID, payload: block)
    }

    static func request(_ streamID: Int32, _ method: String = "GET", _ path: String = "/", extra: [(String, String)] = [], endStream: Bool = true) -> Frame {
        headers(streamID, [(":method", method), (":scheme", "http"), (":path", path), (":authority", "example.test")] + extra,
                endStream: endStream)
    }

    static func data(_ streamID: Int32, _ bytes: [UInt8], endStream: Bool = false) -> Frame {
        Frame(.data, flags: endStream ? Frame.endStream : 0, streamID: streamID, payload: bytes)
    }

    static func rstStream(_ streamID: Int32, code: UInt32 = 8) -> Frame {
        Frame(.rstStream, streamID: streamID, payload: code.bigEndianBytes)
    }

    static func windowUpdate(_ streamID: Int32, _ increment: UInt32) -> Frame {
        Frame(.windowUpdate, streamID: streamID, payload: increment.bigEndianBytes)
    }

    private static func hpackString(_ text: String) -> [UInt8] {
        let bytes = Array(text.utf8)
        return hpackInteger(bytes.count, prefixBits: 7) + bytes
    }

    /// RFC 7541 §5.1 integer with an N-bit prefix (the Huffman bit stays 0).
    private static func hpackInteger(_ value: Int, prefixBits: Int) -> [UInt8] {
        let limit = (1 << prefixBits) - 1
        guard value >= limit else { return [UInt8(value)] }
        var out = [UInt8(limit)], rest = value - limit
        while rest >= 128 {
            out.append(UInt8(rest & 0x7F | 0x80))
            rest >>= 7
        }
        out.append(UInt8(rest))
        return out
    }

    // MARK: Server frame payloads

    /// The error code of a RST_STREAM, or of a GOAWAY (after its last stream id).
    var errorCode: UInt32? {
        switch kind {
        case .rstStream where payload.count >= 4: UInt32(bigEndianBytes: payload[0..<4])
        case .goaway where payload.count >= 8: UInt32(bigEndianBytes: payload[4..<8])
        default: nil
        }
    }

    var goawayLastStreamID: Int32? {
        guard kind == .goaway, payload.count >= 4 else { return nil }
        return Int32(bitPattern: UInt32(bigEndianBytes: payload[0..<4]) & 0x7FFF_FFFF)
    }
}

extension FixedWidthInteger {
    var bigEndianBytes: [UInt8] { withUnsafeBytes(of: bigEndian) { Array($0) } }

    init<Bytes: Collection<UInt8>>(bigEndianBytes bytes: Bytes) {
        self = bytes.reduce(0) { $0 << 8 | Self($1) }
    }
}
