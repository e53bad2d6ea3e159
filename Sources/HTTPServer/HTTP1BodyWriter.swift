import HTTPCore

/// The `HTTPBodyWriter` a streamed HTTP/1.1 response's producer writes into.
///
/// Each write hops to the connection's loop (in place when already there), queues one chunk, and suspends while
/// the connection's outbound buffer is above its high-water mark. It is tied to one response: once that response is
/// over or the connection is gone, writes throw `HTTPBodyWriterError.closed`.
struct HTTP1BodyWriter: HTTPBodyWriter {
    let handler: LoopBound<HTTP1Handler>
    let exchange: UInt64

    func write(_ bytes: [UInt8]) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let exchange = self.exchange
            let scheduled = handler.run { $0.writeBodyPart(bytes, exchange: exchange, continuation: continuation) }
            if !scheduled { continuation.resume(throwing: HTTPBodyWriterError.closed) }
        }
    }
}
