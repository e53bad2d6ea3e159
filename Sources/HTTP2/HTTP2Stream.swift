import HTTPCore

/// One request/response exchange on a connection. Owned by the connection and touched only on its loop thread.
final class HTTP2Stream {
    let id: Int32

    // MARK: Request, as it arrives

    var method: String?
    var path: String?
    var authority: String?
    var headers = HTTPHeaders()
    /// HTTP/2 header list size so far (name + value + 32 per field, RFC 9113 §6.5.2), trailers included.
    var headerListSize = 0
    var body: [UInt8] = []
    /// Set when a limit was crossed: the stream is answered with this instead of reaching the responder, and the
    /// rest of the request is discarded.
    var rejection: HTTPResponse?

    // MARK: Response

    /// The responder (and, for a streamed body, the producer) runs here; cancelled when the client resets the stream.
    var handler: Task<Void, Never>?
    /// True from dispatch until the handler's response is fully handed to nghttp2 (body finished or failed).
    var awaitsHandler = false
    var responseSubmitted = false
    /// Response body bytes not yet taken by nghttp2; `outgoingStart` is how far they were consumed.
    private(set) var outgoing: [UInt8] = []
    private var outgoingStart = 0
    /// No more body bytes will be appended.
    var bodyFinished = false
    /// The data source returned NGHTTP2_ERR_DEFERRED; `nghttp2_session_resume_data` is due when bytes arrive.
    var isDeferred = false
    /// A producer suspended in `write` until the buffer drains below the per-stream limit.
    var waitingWriter: CheckedContinuation<Void, any Error>?
    /// The response's `maxUnsentBodyBytes`: writes never suspend, and one past it resets the stream.
    var unsentLimit: Int?
    /// The body was given up (RST_STREAM submitted): nothing more of it is sent, not even its end.
    private(set) var isAbandoned = false
    /// With `unsentLimit`: body bytes nghttp2 already framed that the peer may not have received yet, per batch the
    /// connection's output offset by which they were handed out, oldest first. Without them a stream on a connection
    /// whose output drains into the kernel (big flow-control windows, a peer that never reads) would look empty
    /// while megabytes of it wait in the socket; the limit counts them until the host says they arrived.
    private var inFlight: [(end: Int, count: Int)] = []
    private(set) var inFlightCount = 0

    init(id: Int32) {
        self.id = id
    }

    var bufferedCount: Int { outgoing.count - outgoingStart }

    /// What `unsentLimit` bounds: buffered here, plus framed but not yet received by the peer.
    var unsentCount: Int { bufferedCount + inFlightCount }

    /// `count` body bytes went into output that ends at offset `end` of the connection's output.
    func noteFramed(_ count: Int, outBy end: Int) {
        inFlightCount += count
        if let last = inFlight.last, last.end == end {
            inFlight[inFlight.count - 1].count += count
        } else {
            inFlight.append((end, count))
        }
    }

    /// The peer has received the connection's output up to offset `delivered`.
    func forgetDelivered(upTo delivered: Int) {
        var arrived = 0
        while arrived < inFlight.count, inFlight[arrived].end <= delivered {
            inFlightCount -= inFlight[arrived].count
            arrived += 1
        }
        if arrived > 0 { inFlight.removeFirst(arrived) }
    }

    func append(_ bytes: [UInt8]) {
        outgoing.append(contentsOf: bytes)
    }

    func setBody(_ bytes: [UInt8]) {
        outgoing = bytes
        outgoingStart = 0
    }

    /// Gives the body up: frees what is buffered and refuses further writes.
    func abandonBody() {
        isAbandoned = true
        bodyFinished = true
        outgoing = []
        outgoingStart = 0
        inFlight = []
        inFlightCount = 0
    }

    /// Copies up to `capacity` buffered bytes into `destination`; returns how many.
    func take(into destination: UnsafeMutablePointer<UInt8>, capacity: Int) -> Int {
        let count = min(capacity, bufferedCount)
        guard count > 0 else { return 0 }
        outgoing.withUnsafeBufferPointer { source in
            destination.update(from: source.baseAddress! + outgoingStart, count: count)
        }
        outgoingStart += count
        if outgoingStart == outgoing.count {
            outgoing.removeAll(keepingCapacity: true)
            outgoingStart = 0
        } else if outgoingStart >= 64 * 1024 && outgoingStart * 2 >= outgoing.count {
            outgoing.removeFirst(outgoingStart)
            outgoingStart = 0
        }
        return count
    }

    /// Wakes a suspended producer, with an error when the stream is gone. The error is made only when a producer
    /// waits: boxing one costs an allocation, and every stream's close passes here.
    func releaseWriter(throwing error: @autoclosure () -> (any Error)? = nil) {
        guard let writer = waitingWriter else { return }
        waitingWriter = nil
        if let error = error() { writer.resume(throwing: error) } else { writer.resume() }
    }

    /// The request as the application sees it. `:authority` becomes `Host`, as HTTP/1.1 clients send it.
    func makeRequest(remoteAddress: String?) -> HTTPRequest {
        var fields = headers
        if let authority, !fields.contains("host") { fields.add("host", authority) }
        let target = method == "CONNECT" ? (authority ?? "") : (path ?? "/")
        return HTTPRequest(
            method: HTTPMethod(method ?? "GET"), target: target, version: .http2,
            headers: fields, body: body, remoteAddress: remoteAddress)
    }
}
