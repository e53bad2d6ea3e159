/// The client connection preface (RFC 9113 §3.4), by which a plaintext connection announces HTTP/2 with prior
/// knowledge. Every accepted connection is sniffed for it before the HTTP/1.1 parser sees a byte.
public enum HTTP2Preface {
    public static let bytes: [UInt8] = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    public enum Match: Sendable, Equatable {
        /// The bytes start with the whole preface.
        case http2
        /// The bytes so far agree with the preface but are shorter: read more before deciding.
        case undecided
        /// Not HTTP/2 prior knowledge: hand the bytes to HTTP/1.1.
        case http1
    }

    /// Classifies the first bytes of a connection.
    public static func match<Bytes: Collection<UInt8>>(_ prefix: Bytes) -> Match {
        var index = 0
        for byte in prefix {
            guard index < bytes.count else { return .http2 }
            if byte != bytes[index] { return .http1 }
            index += 1
        }
        return index == bytes.count ? .http2 : .undecided
    }
}
