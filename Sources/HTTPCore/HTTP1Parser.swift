/// An incremental, I/O-free HTTP/1.1 request parser (RFC 9112), strict about everything that enables smuggling.
public struct HTTP1Parser: Sendable {
    public enum Output: Sendable {
        /// A complete request including its body (version `.http1_0`/`.http1_1`, `remoteAddress` nil).
        case request(HTTPRequest)
        /// The head is complete, carries `Expect: 100-continue` and the body is still to come: write `100 Continue`.
        case expectContinue
        /// The parser stops for good after this; answer the status with `Connection: close`.
        case failure(HTTP1ParseError)
    }

    /// `idle`: between requests with no byte of the next one buffered.
    public enum Phase: Sendable, Equatable { case idle, head, body }

    let limits: HTTPLimits

    public init(limits: HTTPLimits) {
        self.limits = limits
    }

    public var phase: Phase { .idle }

    /// Feeds bytes; emits zero or more outputs in order (pipelining: several requests per call are normal).
    public mutating func consume(_ bytes: UnsafeRawBufferPointer, _ emit: (Output) -> Void) {
        emit(.failure(.badRequest("not implemented yet")))
    }

    /// True after a request carrying `Connection: upgrade` and `Upgrade: h2c`: the parser emits nothing more.
    public var isPaused: Bool { false }

    /// Returns and clears the bytes received after the upgrade request.
    public mutating func takeBufferedBytes() -> [UInt8] { [] }
}
