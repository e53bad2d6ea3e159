/// The client connection preface (RFC 9113 §3.4), by which a plaintext connection announces HTTP/2 with prior
/// knowledge. The server sniffs every accepted connection for it before the HTTP/1.1 parser sees a byte.
public enum HTTP2Preface {
    public static let bytes: [UInt8] = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)
}
