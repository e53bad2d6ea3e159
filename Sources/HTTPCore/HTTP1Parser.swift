/// An incremental, I/O-free HTTP/1.1 request parser (RFC 9112), strict about everything that enables smuggling.
///
/// Bytes may arrive in any split; the outcome is the same as if they had arrived at once. Every limit is enforced at
/// the byte that crosses it, so a peer never makes the parser buffer more than the limits allow.
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

    private enum State: Sendable {
        case requestLine
        case fields
        case fixedBody(remaining: Int)
        case chunkedBody
        case paused
        case failed
    }

    /// RFC 9112 §2.2 lets a server skip empty lines before a request line; a few, not an endless stream of them.
    static let maxLeadingEmptyLines = 8
    /// A body buffer is grown as bytes arrive, not reserved from a claimed length (a peer could claim and stall).
    static let maxBodyReservation = 64 * 1024

    private let limits: HTTPLimits
    private var state = State.requestLine
    private var reader = HTTP1LineReader()
    private var leadingEmptyLines = 0
    private var head = HTTPRequest(method: .get, target: "/")
    private var control = HTTP1ControlFields()
    private var headerBytes = 0
    private var chunked = ChunkedBodyDecoder()
    private var bytesAfterUpgrade: [UInt8] = []

    public init(limits: HTTPLimits) {
        self.limits = limits
    }

    public var phase: Phase {
        switch state {
        case .requestLine: reader.isEmpty && leadingEmptyLines == 0 ? .idle : .head
        case .fields: .head
        case .fixedBody, .chunkedBody: .body
        case .paused, .failed: .idle
        }
    }

    /// Feeds bytes; emits zero or more outputs in order (pipelining: several requests per call are normal).
    public mutating func consume(_ bytes: UnsafeRawBufferPointer, _ emit: (Output) -> Void) {
        var index = 0
        while index < bytes.count {
            switch state {
            case .failed:
                return
            case .paused:
                bytesAfterUpgrade.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[index...]))
                return
            default:
                do throws(HTTP1ParseError) {
                    try advance(bytes, &index, emit)
                } catch {
                    state = .failed
                    var error = error
                    if error.status == .contentTooLarge {
                        head.body = []
                        error.head = head
                    }
                    emit(.failure(error))
                    return
                }
            }
        }
    }

    /// True after a request carrying `Connection: upgrade` and `Upgrade: h2c`: the parser emits nothing more, so the
    /// server can switch protocols.
    public var isPaused: Bool {
        if case .paused = state { return true }
        return false
    }

    /// Returns and clears the bytes received after the upgrade request (they belong to the new protocol).
    public mutating func takeBufferedBytes() -> [UInt8] {
        defer { bytesAfterUpgrade = [] }
        return bytesAfterUpgrade
    }

    /// Makes progress in the current state; returns when the state changed or the input ran out.
    private mutating func advance(_ input: UnsafeRawBufferPointer, _ index: inout Int, _ emit: (Output) -> Void) throws(HTTP1ParseError) {
        switch state {
        case .requestLine:
            let limit = limits.maxRequestLineBytes
            guard
                try reader.read(
                    input, &index, limit: limit,
                    tooLong: HTTP1ParseError(status: .uriTooLong, reason: "request line longer than \(limit) bytes"))
            else { return }
            if reader.line.isEmpty {
                leadingEmptyLines += 1
                guard leadingEmptyLines <= Self.maxLeadingEmptyLines else { throw .badRequest("too many empty lines") }
            } else {
                let line = try HTTP1RequestLine(parsing: reader.line)
                head = HTTPRequest(method: line.method, target: line.target, version: line.version)
                state = .fields
            }
            reader.reset()
        case .fields:
            let left = limits.maxHeaderBytes - headerBytes
            guard
                try reader.read(
                    input, &index, limit: limits.fieldLineLimit(sectionBytesLeft: left),
                    tooLong: limits.fieldLineTooLarge(
                        sectionBytesLeft: left, section: "header section", sectionLimit: limits.maxHeaderBytes))
            else { return }
            if reader.line.isEmpty {
                reader.reset()
                try endOfHead(emit)
                return
            }
            guard head.headers.count < limits.maxHeaderFields else {
                throw HTTP1ParseError(status: .requestHeaderFieldsTooLarge, reason: "more than \(limits.maxHeaderFields) header fields")
            }
            headerBytes += reader.line.count
            let field = try HTTP1FieldLine.parse(reader.line)
            control.note(name: field.nameBytes, value: field.value)
            head.headers.add(field.name, field.value)
            reader.reset()
        case .fixedBody(let remaining):
            let count = min(remaining, input.count - index)
            head.body.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[index..<(index + count)]))
            index += count
            if count == remaining {
                endOfRequest(emit)
            } else {
                state = .fixedBody(remaining: remaining - count)
            }
        case .chunkedBody:
            if try chunked.decode(input, &index, into: &head.body, limits: limits) {
                endOfRequest(emit)
            }
        case .paused, .failed:
            preconditionFailure("consume does not advance a paused or failed parser")
        }
    }

    /// Checks the head as a whole and decides how the body is delimited.
    private mutating func endOfHead(_ emit: (Output) -> Void) throws(HTTP1ParseError) {
        guard control.hostCount <= 1 else { throw .badRequest("more than one Host") }
        guard control.hostCount == 1 || head.version == .http1_0 else { throw .badRequest("missing Host") }
        let expectsContinue = head.version == .http1_1 && control.expectsContinue
        switch try HTTP1BodyFraming(version: head.version, fields: control, limits: limits) {
        case .none, .contentLength(0):
            endOfRequest(emit)
        case .contentLength(let length):
            head.body.reserveCapacity(min(length, Self.maxBodyReservation))
            state = .fixedBody(remaining: length)
            if expectsContinue { emit(.expectContinue) }
        case .chunked:
            chunked = ChunkedBodyDecoder()
            state = .chunkedBody
            if expectsContinue { emit(.expectContinue) }
        }
    }

    /// Hands the request over and gets ready for the next one, or pauses for an h2c upgrade.
    private mutating func endOfRequest(_ emit: (Output) -> Void) {
        let request = head
        let upgrades = request.version == .http1_1 && control.connectionUpgrade && control.upgradeToH2C
        head = HTTPRequest(method: .get, target: "/")
        control = HTTP1ControlFields()
        headerBytes = 0
        leadingEmptyLines = 0
        state = upgrades ? .paused : .requestLine
        emit(.request(request))
    }
}
