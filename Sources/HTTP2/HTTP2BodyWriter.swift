import HTTPCore

/// The writer a streamed response's producer gets on HTTP/2. Each `write` hops onto the connection's loop, appends
/// to the stream's buffer and resumes once the buffer is below the per-stream limit; it throws `.closed` when the
/// client reset the stream or the connection is gone.
struct HTTP2BodyWriter: HTTPBodyWriter {
    let streamID: Int32
    let reference: HTTP2ConnectionReference
    let host: any HTTP2ConnectionHost

    func write(_ bytes: [UInt8]) async throws {
        if Task.isCancelled { throw HTTPBodyWriterError.closed }
        guard !bytes.isEmpty else { return }
        try await withCheckedThrowingContinuation { (writer: CheckedContinuation<Void, any Error>) in
            host.execute { [reference, streamID] in
                guard let connection = reference.connection else {
                    writer.resume(throwing: HTTPBodyWriterError.closed)
                    return
                }
                connection.appendBody(bytes, streamID: streamID, writer: writer)
            }
        }
    }
}
