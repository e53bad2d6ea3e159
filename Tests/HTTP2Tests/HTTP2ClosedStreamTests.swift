import HTTP2
import HTTPCore
import Testing

/// Frames a client sends on a stream it had already ended (RFC 9113 §5.1, "closed"), which the nghttp2 session
/// drops without a word: the connection answers them itself, and leaves alone the streams it reset on its own.
@Suite(.timeLimit(.minutes(1)))
struct HTTP2ClosedStreamTests {
    static let streamClosed: UInt32 = 0x5

    @Test func dataAfterTheClientsRstStream_IsAStreamError() async throws {
        let harness = try ConnectionHarness()
        harness.start()
        harness.send(.request(1, endStream: false), .rstStream(1), .data(1, Array("late".utf8), endStream: true))
        await harness.settle()
        #expect(harness.responses[1]?.resetCode == Self.streamClosed)
        #expect(harness.goaway == nil, "a stream error, not a connection error")
        // The connection goes on.
        harness.send(.request(3))
        await harness.settle()
        #expect(harness.responses[3]?.status == 200)
        #expect(harness.closeAndRelease())
    }

    @Test func headersAfterTheClientsRstStream_IsAStreamError_AlsoInALaterRead() async throws {
        let harness = try ConnectionHarness()
        harness.start()
        harness.send(.request(1, endStream: false), .rstStream(1))
        await harness.settle()
        harness.send(.request(1))
        await harness.settle()
        #expect(harness.responses[1]?.resetCode == Self.streamClosed)
        #expect(harness.closeAndRelease())
    }

    @Test(arguments: [true, false])
    func framesAfterAStreamTheClientEndedClosed_AreAConnectionError(sendData: Bool) async throws {
        let harness = try ConnectionHarness()
        harness.start()
        harness.send(.request(1))
        await harness.settle()
        #expect(harness.responses[1]?.ended == true)
        harness.send(sendData ? .data(1, Array("late".utf8), endStream: true) : .request(1))
        await harness.settle()
        #expect(harness.goaway?.errorCode == Self.streamClosed)
        #expect(harness.closeAndRelease())
    }

    /// A `413` resets the stream while the client is still uploading (NO_ERROR): DATA already in flight is ignored.
    @Test func dataOnAStreamTheServerReset_IsIgnored() async throws {
        let harness = try ConnectionHarness(limits: HTTPLimits(maxBodyBytes: 16))
        harness.start()
        harness.send(.request(1, "POST", "/", endStream: false), .data(1, Array(repeating: 65, count: 64)))
        await harness.settle()
        #expect(harness.responses[1]?.status == 413)
        harness.send(.data(1, Array(repeating: 65, count: 64), endStream: true))
        await harness.settle()
        #expect(harness.responses[1]?.resetCode != Self.streamClosed)
        #expect(harness.goaway == nil)
        #expect(harness.closeAndRelease())
    }

    /// An invalid connection preface is answered with GOAWAY(PROTOCOL_ERROR) before the session gives up.
    @Test func anInvalidPreface_GetsAGoaway() async throws {
        let harness = try ConnectionHarness()
        harness.send(Array("PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n".utf8) + Frame.settings().bytes)
        await harness.settle()
        #expect(!harness.accepted)
        #expect(harness.goaway?.errorCode == 0x1)
        #expect(harness.closeAndRelease())
    }
}
