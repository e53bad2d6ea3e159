import HTTP2

/// Tells an HTTP/2 connection with prior knowledge (RFC 9113 §3.3) from an HTTP/1.1 one by its first bytes.
///
/// Pure: bytes in, verdict out. Holds at most the 23 bytes of a preface that arrived split.
struct HTTP2PrefaceSniffer {
    enum Verdict: Equatable { case needMoreBytes, http1, http2 }

    static let preface = HTTP2Preface.bytes
    /// `PRI * HTTP/2.0\r\n`: no HTTP/1.x request starts so (RFC 9113 §3.4 chose it for that). Bytes that match it
    /// and then leave the preface come from an HTTP/2 client with a broken preface: HTTP/2 answers it, with
    /// GOAWAY(PROTOCOL_ERROR), not HTTP/1.1.
    static let http2RequestLineCount = 16

    /// Bytes seen before the verdict; the protocol handler gets them first.
    private(set) var heldBytes: [UInt8] = []

    mutating func inspect(_ bytes: UnsafeRawBufferPointer) -> Verdict {
        let offset = heldBytes.count
        let compared = min(bytes.count, Self.preface.count - offset)
        for i in 0..<compared where bytes[i] != Self.preface[offset + i] {
            return offset + i >= Self.http2RequestLineCount ? .http2 : .http1
        }
        if offset + compared == Self.preface.count { return .http2 }
        heldBytes.append(contentsOf: bytes)
        return .needMoreBytes
    }
}
