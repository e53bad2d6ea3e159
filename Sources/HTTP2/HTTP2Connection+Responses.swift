import CNGHTTP2
import HTTPCore

/// Running handlers and sending their responses: HEADERS through `nghttp2_submit_response`, bodies through one data
/// provider that reads the stream's buffer and defers while a streaming producer has nothing buffered.
extension HTTP2Connection {
    /// Fields that mean nothing (or something dangerous) in HTTP/2 and must not be sent (RFC 9113 §8.2.2). A switch
    /// of short literals, not a set: it runs for every field of every response, and needs no hashing.
    static func isConnectionSpecific(_ lowerCasedName: String) -> Bool {
        switch lowerCasedName {
        case "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade": true
        default: false
        }
    }

    typealias BodyProducer = @Sendable (any HTTPBodyWriter) async throws -> Void

    /// Runs the responder in a task; the response, and a streamed body's end, come back through the loop.
    func startHandler(for request: HTTPRequest, on stream: HTTP2Stream) {
        guard let host else { return }
        let responder = self.responder, reference = self.reference, streamID = stream.id
        stream.awaitsHandler = true
        stream.handler = Task(executorPreference: host.handlerExecutor) {
            let response = await responder.respond(to: request)
            let producer: BodyProducer?
            if host.isOnConnectionThread {
                producer = reference.connection?.deliver(response, streamID: streamID)
            } else {
                producer = await reference.onLoop(host) { $0.deliver(response, streamID: streamID) } ?? nil
            }
            guard let producer else { return }
            let failed: Bool
            do {
                try await producer(HTTP2BodyWriter(streamID: streamID, reference: reference, host: host))
                failed = false
            } catch {
                failed = true
            }
            reference.post(host) { $0.finishBody(streamID: streamID, failed: failed) }
        }
    }

    /// Submits the handler's response; returns the body producer the task must run next, if any.
    private func deliver(_ response: HTTPResponse, streamID: Int32) -> BodyProducer? {
        guard let stream = streams[streamID] else { return nil }
        defer { host?.outputAvailable() }
        submit(response, on: stream)
        if case .stream(let producer) = response.body, !stream.bodyFinished { return producer }
        stream.awaitsHandler = false
        return nil
    }

    private func finishBody(streamID: Int32, failed: Bool) {
        guard let stream = streams[streamID] else { return }
        stream.awaitsHandler = false
        // Already reset when its writer passed the unsent limit.
        guard !stream.isAbandoned else { return }
        stream.bodyFinished = true
        if failed {
            // The headers are out; the only honest way to say the body broke off is to reset the stream.
            nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), streamID, NGHTTP2_INTERNAL_ERROR.rawValue)
        } else {
            resumeIfDeferred(stream)
        }
        host?.outputAvailable()
    }

    /// A producer's `write`, on the loop: buffer, wake nghttp2, and suspend the producer while the buffer is full.
    func appendBody(_ bytes: [UInt8], streamID: Int32, writer: CheckedContinuation<Void, any Error>) {
        guard let stream = streams[streamID], !stream.bodyFinished else {
            writer.resume(throwing: HTTPBodyWriterError.closed)
            return
        }
        if let limit = stream.unsentLimit, exceedsUnsentLimit(limit, stream, adding: bytes.count) {
            // The reader is that far behind: reset this stream alone now and free what it held, rather than hold it
            // until the connection's write timeout. The connection and its other streams go on.
            stream.abandonBody()
            nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), streamID, NGHTTP2_CANCEL.rawValue)
            writer.resume(throwing: HTTPBodyWriterError.unsentLimitExceeded)
            host?.outputAvailable()
            return
        }
        stream.append(bytes)
        resumeIfDeferred(stream)
        if stream.unsentLimit != nil || stream.bufferedCount < configuration.maxBufferedBytesPerStream {
            writer.resume()
        } else {
            stream.waitingWriter = writer
        }
        host?.outputAvailable()
    }

    /// Whether `count` more bytes would leave more than `limit` of this stream unreceived: its buffer plus what it
    /// has in output the peer has not received (the host's buffer, the kernel's send queue). Nothing unreceived:
    /// never, so one write larger than the limit still goes out to a reader that keeps up.
    private func exceedsUnsentLimit(_ limit: Int, _ stream: HTTP2Stream, adding count: Int) -> Bool {
        if stream.inFlightCount > 0 {
            stream.forgetDelivered(upTo: outputOffset - (host?.undeliveredOutputBytes ?? 0))
        }
        let unsent = stream.unsentCount
        return unsent > 0 && unsent + count > limit
    }

    func readBody(streamID: Int32, into buffer: UnsafeMutablePointer<UInt8>, capacity: Int, flags: UnsafeMutablePointer<UInt32>) -> Int {
        guard let stream = streams[streamID] else { return Int(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue) }
        // Its RST_STREAM is queued: an empty DATA frame with END_STREAM now would pass for a complete body.
        guard !stream.isAbandoned else { return Int(NGHTTP2_ERR_DEFERRED.rawValue) }
        let count = stream.take(into: buffer, capacity: capacity)
        if count > 0, stream.unsentLimit != nil { framedDuringSend.append((stream, count)) }
        if stream.bufferedCount < configuration.maxBufferedBytesPerStream { stream.releaseWriter() }
        if stream.bufferedCount == 0 {
            if stream.bodyFinished {
                flags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue
            } else if count == 0 {
                stream.isDeferred = true
                return Int(NGHTTP2_ERR_DEFERRED.rawValue)
            }
        }
        return count
    }

    private func resumeIfDeferred(_ stream: HTTP2Stream) {
        guard stream.isDeferred else { return }
        stream.isDeferred = false
        nghttp2_session_resume_data(session, stream.id)
    }

    /// HEADERS (and a data provider when there is a body). HEAD and 1xx/204/304 get headers only.
    func submit(_ response: HTTPResponse, on stream: HTTP2Stream) {
        stream.responseSubmitted = true
        let headersOnly = response.status.forbidsBody || stream.method == "HEAD"
        var fields = responseFields(response)
        switch response.body {
        case .bytes(let bytes):
            if !response.status.forbidsBody, !response.headers.contains("content-length") {
                fields.append(("content-length", String(bytes.count)))
            }
            stream.setBody(headersOnly ? [] : bytes)
            stream.bodyFinished = true
        case .stream:
            stream.bodyFinished = headersOnly
            stream.unsentLimit = response.maxUnsentBodyBytes
        }
        let hasBody = !(stream.bodyFinished && stream.bufferedCount == 0)
        let result = HTTP2HeaderBlock.withFields(fields, unindexed: configuration.unindexedResponseFields) { fields, count in
            if hasBody {
                var provider = nghttp2_data_provider(source: nghttp2_data_source(ptr: nil), read_callback: readResponseBody)
                return nghttp2_submit_response(session, stream.id, fields, count, &provider)
            }
            return nghttp2_submit_response(session, stream.id, fields, count, nil)
        }
        if result != 0 {
            nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), stream.id, NGHTTP2_INTERNAL_ERROR.rawValue)
        }
    }

    private func responseFields(_ response: HTTPResponse) -> [(String, String)] {
        var fields: [(String, String)] = []
        fields.reserveCapacity(response.headers.count + 4)  // :status, content-length, date, server
        fields.append((":status", String(response.status.code)))
        for (name, value) in response.headers {
            // HTTP/2 field names are lower-case (RFC 9113 §8.2.1); most handlers' already are.
            let lower = name.utf8.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") } ? name.lowercased() : name
            if lower.utf8.first == UInt8(ascii: ":") || Self.isConnectionSpecific(lower) { continue }
            fields.append((lower, value))
        }
        if !response.headers.contains("date") { fields.append(("date", date.current())) }
        if let server = configuration.serverName, !response.headers.contains("server") { fields.append(("server", server)) }
        return fields
    }
}

extension HTTP2ConnectionReference {
    /// Runs `body` with the connection on its loop and returns the result; nil when the connection is gone.
    func onLoop<Result: Sendable>(
        _ host: any HTTP2ConnectionHost, _ body: @escaping @Sendable (HTTP2Connection) -> Result?
    ) async -> Result? {
        await withCheckedContinuation { continuation in
            host.execute { continuation.resume(returning: self.connection.flatMap(body)) }
        }
    }

    /// Runs `body` with the connection on its loop, if it is still there, without waiting.
    func post(_ host: any HTTP2ConnectionHost, _ body: @escaping @Sendable (HTTP2Connection) -> Void) {
        host.execute { self.connection.map(body) }
    }
}
