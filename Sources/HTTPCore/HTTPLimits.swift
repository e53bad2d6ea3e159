/// Size limits shared by HTTP/1.1 and HTTP/2, enforced as soon as they are crossed, never after buffering.
public struct HTTPLimits: Sendable, Equatable {
    /// The request line (method, target, version), without its CRLF. Beyond: `414`.
    public var maxRequestLineBytes: Int = 8 * 1024
    /// All field lines together (not the request line). Beyond: `431`.
    public var maxHeaderBytes: Int = 16 * 1024
    /// One field line (name, colon and value, without CRLF), in the header or the trailer section. Beyond: `431`.
    public var maxFieldLineBytes: Int = 8 * 1024
    /// Number of field lines. Beyond: `431`.
    public var maxHeaderFields: Int = 100
    /// The decoded request body. Beyond: `413`.
    public var maxBodyBytes: Int = 1024 * 1024
    /// Trailer section of a chunked body. Beyond: `431`.
    public var maxTrailerBytes: Int = 4 * 1024

    public init(
        maxRequestLineBytes: Int = 8 * 1024,
        maxHeaderBytes: Int = 16 * 1024,
        maxHeaderFields: Int = 100,
        maxBodyBytes: Int = 1024 * 1024,
        maxTrailerBytes: Int = 4 * 1024,
        maxFieldLineBytes: Int = 8 * 1024
    ) {
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderFields = maxHeaderFields
        self.maxBodyBytes = maxBodyBytes
        self.maxTrailerBytes = maxTrailerBytes
        self.maxFieldLineBytes = maxFieldLineBytes
    }
}
