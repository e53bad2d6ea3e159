import HTTP2
import HTTPCore
import Locking
import Testing

/// Streamed response bodies: DEFERRED until the producer writes, backpressure per stream, RST_STREAM stops the producer.
@Suite(.timeLimit(.minutes(1)))
struct HTTP2StreamingTests {
    @Test func streamedBody_ArrivesInOrder_AndEnds() async throws {
        let harness = try ConnectionHarness(responder: ClosureResponder { _ in
            HTTPResponse(body: .stream { writer in
                for part in ["event: one\n\n", "event: two\n\n", "event: three\n\n"] { try await writer.write(Array(part.utf8)) }
            })
        })
        harness.start()
        harness.send(.request(1, "GET", "/v1/events"))
        await harness.settle()
        let response = try #require(harness.responses[1])
        #expect(response.status == 200 && response.ended && response.header("content-length") == nil)
        #expect(String(decoding: response.body, as: UTF8.self) == "event: one\n\nevent: two\n\nevent: three\n\n")
    }

    @Test func producer_IsHeldBack_ByTheClientsWindow() async throws {
        let written = Locked(0)
        let chunk = [UInt8](repeating: 7, count: 16 * 1024)
        var configuration = HTTP2Configuration()
        configuration.maxBufferedBytesPerStream = 32 * 1024
        let harness = try ConnectionHarness(configuration: configuration, responder: ClosureResponder { _ in
            HTTPResponse(body: .stream { writer in
                for _ in 0..<20 {
                    try await writer.write(chunk)
                    written.withLock { $0 += chunk.count }
                }
            })
        })
        harness.start()
        harness.send(.request(1))
        await harness.run { harness.responses[1]?.body.count == 65_535 && !harness.loop.hasJobs }
        // The window (65535) plus the stream's buffer limit plus the chunk in flight, never the whole 320 KiB.
        #expect(written.withLock { $0 } <= 65_535 + 32 * 1024 + chunk.count)
        #expect(harness.server.hasHandlersRunning)

        harness.send(.windowUpdate(0, 1 << 20), .windowUpdate(1, 1 << 20))
        await harness.run { harness.responses[1]?.ended == true }
        #expect(harness.responses[1]?.body.count == 20 * chunk.count)
    }

    @Test func clientReset_MakesTheNextWriteThrowClosed_AndCancelsTheHandler() async throws {
        let stopped = Gate()
        let sawCancellation = Locked(false)
        let harness = try ConnectionHarness(responder: ClosureResponder { _ in
            HTTPResponse(body: .stream { writer in
                do {
                    while true { try await writer.write([UInt8](repeating: 1, count: 8 * 1024)) }
                } catch HTTPBodyWriterError.closed {
                    sawCancellation.withLock { $0 = Task.isCancelled }
                    stopped.open()
                }
            })
        })
        harness.start()
        harness.send(.request(1))
        await harness.run { (harness.responses[1]?.body.count ?? 0) >= 16 * 1024 }
        harness.send(.rstStream(1, code: 8))
        await harness.run { stopped.isOpen && !harness.loop.hasJobs }
        #expect(sawCancellation.withLock { $0 })
        #expect(harness.server.isIdle)
        // The connection itself goes on: the next stream is answered (and streams again).
        harness.send(.request(3))
        await harness.run { harness.responses[3]?.status == 200 }
        #expect(harness.closeAndRelease())
    }

    /// A capped stream (`maxUnsentBodyBytes`, as event streams are) to a peer that granted the largest windows:
    /// nghttp2 frames each write at once, so the stream's own buffer stays empty however little the peer reads.
    /// What counts is what the peer has not received, framed or not: a peer that reads nothing is reset once that
    /// would pass the cap; one that keeps up gets the whole body.
    @Test(arguments: [false, true])
    func cappedStream_CountsFramedBytesThePeerHasNotReceived(peerReads: Bool) async throws {
        let limit = 32 * 1024, chunk = 6 * 1024, chunks = 40
        let failure = Locked<HTTPBodyWriterError?>(nil)
        let harness = try ConnectionHarness(responder: ClosureResponder { _ in
            HTTPResponse(body: .stream { writer in
                do {
                    for _ in 0..<chunks { try await writer.write([UInt8](repeating: 0x65, count: chunk)) }
                } catch let error as HTTPBodyWriterError {
                    failure.withLock { $0 = error }
                    throw error
                }
            }, maxUnsentBodyBytes: limit)
        })
        harness.loop.undeliveredOutputBytes = peerReads ? 0 : 1 << 40
        harness.start()
        harness.send(.settings([(0x4, 0x7FFF_FFFF)]), .windowUpdate(0, 0x7FFF_FFFF - 65_535))
        harness.send(.request(1))
        // Ended, or reset with the producer told why (the reset goes out before the failed write returns).
        await harness.run {
            harness.responses[1]?.ended == true
                || (harness.responses[1]?.resetCode != nil && failure.withLock { $0 != nil })
        }
        let response = try #require(harness.responses[1])
        if peerReads {
            #expect(response.ended && response.resetCode == nil && response.body.count == chunks * chunk)
        } else {
            #expect(!response.ended && response.resetCode == 8)  // CANCEL
            #expect(failure.withLock { $0 } == .unsentLimitExceeded)
            // Everything framed before the reset was still unreceived, so it is within the cap.
            #expect(response.body.count <= limit && response.body.count >= limit - chunk)
        }
        #expect(harness.closeAndRelease())
    }

    @Test func connectionClose_MakesASuspendedWriteThrow() async throws {
        let stopped = Gate()
        let harness = try ConnectionHarness(responder: ClosureResponder { _ in
            HTTPResponse(body: .stream { writer in
                do {
                    while true { try await writer.write([UInt8](repeating: 1, count: 64 * 1024)) }
                } catch {
                    stopped.open()
                }
            })
        })
        harness.start()
        harness.send(.request(1))
        await harness.run { harness.responses[1]?.body.count == 65_535 && !harness.loop.hasJobs }
        #expect(harness.closeAndRelease())
        await stopped.wait()
    }
}
