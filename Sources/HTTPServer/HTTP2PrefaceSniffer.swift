import HTTP2

/// Tells an HTTP/2 connection with prior knowledge (RFC 9113 §3.3) from an HTTP/1.1 one by its first bytes.
///
/// Pure: bytes in, verdict out. Holds at most the 23 bytes of a preface that arrived split.
struct HTTP2PrefaceSniffer {
    enum Verdict: Equatable { case needMoreBytes, http1, http2 }

    static let preface = HTTP2Preface.bytes

    /// Bytes seen before the verdict; the protocol handler gets them first.
    private(set) var heldBytes: [UInt8] = []

    mutating func inspect(_ bytes: UnsafeRawBufferPointer) -> Verdict {
        let offset = heldBytes.count
        let compared = min(bytes.count, Self.preface.count - offset)
        for i in 0..<compared where bytes[i] != Self.preface[offset + i] {
            return .http1
        }
        if offset + compared == Self.preface.count { return .http2 }
        heldBytes.append(contentsOf: bytes)
        return .needMoreBytes
    }
}
