import HTTPCore
import HTTPServer
import Synchronization
import Testing

/// A producer that would stream forever, against a client that never reads.
@Suite struct HTTPServerBackpressureTests {
    static let chunk = 64 * 1024

    final class EndlessProducer: HTTPResponder {
        let chunksWritten = Atomic<Int>(0)
        let ended: AsyncStream<(any Error)?>
        private let report: AsyncStream<(any Error)?>.Continuation
        private let chunk: Int
        private let maxUnsentBodyBytes: Int?

        init(chunk: Int = HTTPServerBackpressureTests.chunk, maxUnsentBodyBytes: Int? = nil) {
            (ended, report) = AsyncStream.makeStream()
            self.chunk = chunk
            self.maxUnsentBodyBytes = maxUnsentBodyBytes
        }

        func respond(to request: HTTPRequest) async -> HTTPResponse {
            HTTPResponse(body: .stream { [self] writer in
                do {
                    while true {
                        try await writer.write([UInt8](repeating: 0x78, count: chunk))
                        chunksWritten.add(1, ordering: .relaxed)
                    }
                } catch {
                    report.yield(error)
                    throw error
                }
            }, maxUnsentBodyBytes: maxUnsentBodyBytes)
        }
    }

    @Test func aClientThatNeverReads_SuspendsTheProducer_AndTheWriterThrowsOnceItIsGone() async throws {
        let producer = EndlessProducer()
        try await withServer(responder: producer) { server in
            let highWater = 256 * 1024
            let bound = highWater + Self.chunk + 16
            var client: RawClient? = try RawClient(port: server.localPort, receiveBuffer: 16 * 1024)
            client!.send("GET /forever HTTP/1.1\r\nHost: x\r\n\r\n")

            // Kernel buffers fill first; then the server's own buffer reaches the high-water mark and the producer waits.
            #expect(await eventually { await server.statistics().bufferedOutboundBytes > highWater })
            let suspendedAt = producer.chunksWritten.load(ordering: .relaxed)
            for _ in 0..<10 {
                #expect(await server.statistics().bufferedOutboundBytes <= bound)
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(producer.chunksWritten.load(ordering: .relaxed) <= suspendedAt + 1)

            client = nil
            var errors = producer.ended.makeAsyncIterator()
            let error = await errors.next() ?? nil
            #expect(error is HTTPBodyWriterError)
        }
    }

    /// Answers every request with the same large body, counting how many it was asked for.
    final class LargeAnswers: HTTPResponder {
        static let size = 512 * 1024
        let answered = Atomic<Int>(0)
        private let body = [UInt8](repeating: 0x79, count: LargeAnswers.size)

        func respond(to request: HTTPRequest) async -> HTTPResponse {
            answered.add(1, ordering: .relaxed)
            return HTTPResponse(body: .bytes(body))
        }
    }

    @Test func aPipelinerThatDoesNotRead_IsAnsweredOnlyAsFastAsItReads_AndInFullOnceItDoes() async throws {
        let responder = LargeAnswers()
        // A write timeout beyond the test's patience: under a sanitizer with every suite running, the pause before the
        // client reads once outlasted the default 30 s and the server rightly dropped the stalled reader.
        try await withServer(responder: responder, { $0.writeTimeout = .seconds(300) }) { server in
            let requests = 60
            let client = try RawClient(port: server.localPort, receiveBuffer: 16 * 1024)
            client.send(String(repeating: "GET /large HTTP/1.1\r\nHost: x\r\n\r\n", count: requests))

            // The kernel's buffers and one high-water mark fill, then no further request is started.
            #expect(await eventually { await server.statistics().bufferedOutboundBytes > 256 * 1024 })
            try await Task.sleep(for: .milliseconds(300))
            let started = responder.answered.load(ordering: .relaxed)
            #expect(started < requests / 2, "\(started) of \(requests) answered for a client that read nothing")
            #expect(await server.statistics().bufferedOutboundBytes <= 256 * 1024 + LargeAnswers.size + 4096)

            // Reading resumes the queue: every answer arrives, whole and in order.
            for _ in 0..<requests {
                let response = try client.readResponse()
                #expect(response.status == 200 && response.body.count == LargeAnswers.size)
            }
            #expect(responder.answered.load(ordering: .relaxed) == requests)
        }
    }

    @Test func aCappedStream_ClosesTheConnection_AsSoonAsItsUnsentBytesWouldPassTheCap() async throws {
        let limit = 32 * 1024
        let producer = EndlessProducer(chunk: 6 * 1024, maxUnsentBodyBytes: limit)
        // A write timeout far beyond the test's patience: what closes the connection must be the cap.
        try await withServer(responder: producer, { $0.writeTimeout = .seconds(300) }) { server in
            let client = try RawClient(port: server.localPort, receiveBuffer: 4 * 1024)
            client.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
            var errors = producer.ended.makeAsyncIterator()
            let error = await errors.next() ?? nil
            #expect(error as? HTTPBodyWriterError == .unsentLimitExceeded)
            // Closed at once, and what it held released with it.
            #expect(await eventually { await server.statistics().openConnections == 0 })
            #expect(await server.statistics().bufferedOutboundBytes == 0)
            // The client gets what the kernel had taken, then the end: a chunked body cut short, no last chunk.
            let received = try client.readToEnd()
            #expect(received.count > 0)
            #expect(!received.suffix(5).elementsEqual(Array("0\r\n\r\n".utf8)))
        }
    }

    /// The cap counts what the kernel queues too: on loopback the send buffer autotunes to megabytes (`tcp_wmem`),
    /// and a cap on the server's own buffer alone let a reader that never reads take that much before its drop.
    @Test func aCappedStream_CountsTheKernelsSendQueue_SoANeverReadingClientGetsAboutTheCap() async throws {
        let limit = 64 * 1024, chunk = 6 * 1024
        let producer = EndlessProducer(chunk: chunk, maxUnsentBodyBytes: limit)
        try await withServer(responder: producer, { $0.writeTimeout = .seconds(300) }) { server in
            let client = try RawClient(port: server.localPort, receiveBuffer: 4 * 1024)
            client.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
            var errors = producer.ended.makeAsyncIterator()
            let error = await errors.next() ?? nil
            #expect(error as? HTTPBodyWriterError == .unsentLimitExceeded)
            // The cap, plus what the client's small receive buffer took (its window), plus the write that did not fit.
            let written = producer.chunksWritten.load(ordering: .relaxed) * chunk
            #expect(written <= limit + 64 * 1024, "\(written) bytes accepted for a client that read none")
            withExtendedLifetime(client) {}
        }
    }

    @Test func aClientThatStopsReading_IsClosedAtTheWriteTimeout() async throws {
        let producer = EndlessProducer()
        try await withServer(responder: producer, { $0.writeTimeout = .milliseconds(500) }) { server in
            let client = try RawClient(port: server.localPort, receiveBuffer: 16 * 1024)
            client.send("GET /forever HTTP/1.1\r\nHost: x\r\n\r\n")
            var errors = producer.ended.makeAsyncIterator()
            let error = await errors.next() ?? nil
            #expect(error is HTTPBodyWriterError)
            #expect(await eventually { await server.statistics().openConnections == 0 })
            withExtendedLifetime(client) {}
        }
    }
}
