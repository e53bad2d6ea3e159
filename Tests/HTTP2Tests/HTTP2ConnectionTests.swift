import HTTP2
import HTTPCore
import Testing

@Suite(.timeLimit(.minutes(1)))
struct HTTP2ConnectionTests {
    static let echo = ClosureResponder { request in
        HTTPResponse(headers: ["X-Method": request.method.rawValue, "X-Target": request.target,
                               "X-Host": request.headers["host"] ?? "", "X-Version": request.version.description],
                     bytes: request.body)
    }

    @Test func server_SendsSettingsFirst_AdvertisingItsLimits() throws {
        let harness = try ConnectionHarness()
        harness.start()
        let settings = try #require(harness.frames.first)
        #expect(settings.kind == .settings && settings.flags == 0)
        let entries = stride(from: 0, to: settings.payload.count, by: 6).map {
            (UInt16(bigEndianBytes: settings.payload[$0..<$0 + 2]), UInt32(bigEndianBytes: settings.payload[$0 + 2..<$0 + 6]))
        }
        #expect(entries.contains { $0 == (3, 100) })  // MAX_CONCURRENT_STREAMS
        #expect(entries.contains { $0 == (6, UInt32(16 * 1024 + 32 * 100)) })  // MAX_HEADER_LIST_SIZE
        #expect(entries.contains { $0 == (2, 0) })  // ENABLE_PUSH
    }

    @Test func get_IsAnswered_WithStatusDateServerAndBody() async throws {
        let harness = try ConnectionHarness(responder: Self.echo)
        harness.start()
        harness.send(.request(1, "GET", "/v1/scans?limit=5"))
        await harness.settle()
        let response = try #require(harness.responses[1])
        #expect(response.status == 200 && response.ended)
        #expect(response.header("x-target") == "/v1/scans?limit=5")
        #expect(response.header("x-host") == "example.test")
        #expect(response.header("x-version") == "HTTP/2")
        #expect(response.header("content-length") == "0")
        #expect(response.header("server") == "scanrelay")
        #expect(response.header("date")?.hasSuffix(" GMT") == true)
        #expect(harness.server.isIdle)
    }

    @Test func post_BodyInManyDataFrames_ArrivesWhole() async throws {
        let harness = try ConnectionHarness(responder: Self.echo)
        harness.start()
        harness.send(.request(1, "POST", "/echo", endStream: false))
        let chunks = (0..<40).map { i in [UInt8](repeating: UInt8(i), count: 1000) }
        for (i, chunk) in chunks.enumerated() {
            harness.send(.data(1, chunk, endStream: i == chunks.count - 1))
            // nghttp2 acknowledges consumed bytes with WINDOW_UPDATE, so the 64 KiB window never runs out.
            harness.send(.windowUpdate(0, 1000))
        }
        await harness.settle()
        let response = try #require(harness.responses[1])
        #expect(response.status == 200 && response.ended)
        #expect(response.body == chunks.flatMap { $0 })
    }

    @Test func body_LargerThanTheLimit_Gets413_AndTheUploadIsStopped() async throws {
        let harness = try ConnectionHarness(limits: HTTPLimits(maxBodyBytes: 1000), responder: Self.echo)
        harness.start()
        harness.send(.request(1, "POST", "/upload", endStream: false), .data(1, [UInt8](repeating: 1, count: 1500)))
        await harness.settle()
        let response = try #require(harness.responses[1])
        #expect(response.status == 413 && response.ended)
        #expect(response.header("content-type") == "application/problem+json")
        #expect(response.resetCode == 0)  // RST_STREAM(NO_ERROR): stop sending, nothing went wrong
        #expect(harness.server.isIdle)
    }

    @Test func declaredContentLength_OverTheLimit_Gets413BeforeAnyData() async throws {
        let harness = try ConnectionHarness(limits: HTTPLimits(maxBodyBytes: 1000), responder: Self.echo)
        harness.start()
        harness.send(.request(1, "POST", "/upload", extra: [("content-length", "5000")], endStream: false))
        await harness.settle()
        #expect(harness.responses[1]?.status == 413)
    }

    @Test func tooManyHeaderFields_Get431() async throws {
        let harness = try ConnectionHarness(limits: HTTPLimits(maxHeaderFields: 3), responder: Self.echo)
        harness.start()
        harness.send(.request(1, extra: (0..<4).map { ("x-field-\($0)", "v") }))
        await harness.settle()
        #expect(harness.responses[1]?.status == 431)
    }

    @Test func headerList_LargerThanAdvertised_Gets431() async throws {
        let harness = try ConnectionHarness(limits: HTTPLimits(maxHeaderBytes: 256, maxHeaderFields: 4), responder: Self.echo)
        harness.start()
        harness.send(.request(1, extra: [("x-big", String(repeating: "a", count: 600))]))
        await harness.settle()
        #expect(harness.responses[1]?.status == 431)
    }

    @Test func head_GetsHeadersOnly_WithTheBodyLength() async throws {
        let harness = try ConnectionHarness(responder: ClosureResponder { _ in .text("hello") })
        harness.start()
        harness.send(.request(1, "HEAD", "/"))
        await harness.settle()
        let response = try #require(harness.responses[1])
        #expect(response.status == 200 && response.ended && response.body.isEmpty)
        #expect(response.header("content-length") == "5")
        #expect(!harness.frames.contains { $0.kind == .data })
    }

    @Test func connectionSpecificFields_AreNotSent() async throws {
        let harness = try ConnectionHarness(responder: ClosureResponder { _ in
            HTTPResponse(headers: ["Connection": "close", "Transfer-Encoding": "chunked", "Keep-Alive": "5",
                                   "Upgrade": "h2c", "X-Kept": "yes"], bytes: [])
        })
        harness.start()
        harness.send(.request(1))
        await harness.settle()
        let names = try #require(harness.responses[1]).headers.map(\.0)
        #expect(names.contains("x-kept"))
        #expect(!names.contains { ["connection", "transfer-encoding", "keep-alive", "upgrade"].contains($0) })
    }

    @Test func fieldsUniqueToEachResponse_StayOutOfTheDynamicTable() async throws {
        let harness = try ConnectionHarness(responder: ClosureResponder { request in
            HTTPResponse(headers: ["X-Request-Id": String(request.path), "X-Kept": "yes"], bytes: [])
        })
        harness.start()
        harness.send(Frame.request(1, "GET", "/first"))
        harness.send(Frame.request(3, "GET", "/second"))
        await harness.settle()
        #expect(harness.responses[3]?.header("x-request-id") == "/second")
        #expect(harness.neverIndexedFields == ["x-request-id", "x-request-id"])
    }

    @Test func responseLargerThanTheWindow_WaitsForWindowUpdates() async throws {
        let body = (0..<(200 * 1024)).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let harness = try ConnectionHarness(responder: ClosureResponder { _ in HTTPResponse(bytes: body) })
        harness.start()
        harness.send(.request(1))
        await harness.settle()
        #expect(harness.responses[1]?.body.count == 65_535)  // the client's initial window
        #expect(harness.responses[1]?.ended == false)
        harness.send(.windowUpdate(0, UInt32(body.count)), .windowUpdate(1, UInt32(body.count)))
        #expect(harness.responses[1]?.body == body)
        #expect(harness.responses[1]?.ended == true)
    }

    @Test func manyConcurrentStreams_AreAllAnswered() async throws {
        let harness = try ConnectionHarness(responder: Self.echo)
        harness.start()
        let ids = (0..<100).map { Int32(2 * $0 + 1) }
        harness.send(ids.flatMap { Frame.request($0, "GET", "/item/\($0)").bytes })
        await harness.settle()
        for id in ids { #expect(harness.responses[id]?.header("x-target") == "/item/\(id)") }
        #expect(harness.server.isIdle)
    }

    @Test func badPreface_FailsTheConnection() throws {
        let harness = try ConnectionHarness()
        harness.send(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        #expect(!harness.accepted)
        #expect(harness.server.wantsClose)
    }

    @Test func gracefulShutdown_NoticeThenGoaway_LetsTheStreamInFlightFinish() async throws {
        let gate = Gate()
        let harness = try ConnectionHarness(responder: ClosureResponder { _ in
            await gate.wait()
            return .text("late")
        })
        harness.start()
        harness.send(.request(1))
        harness.server.beginGracefulShutdown()
        harness.drain()
        #expect(harness.goaway?.goawayLastStreamID == Int32.max)
        harness.server.finishShutdown()
        harness.drain()
        #expect(harness.goaway?.goawayLastStreamID == 1)
        #expect(harness.goaway?.errorCode == 0)
        #expect(!harness.server.wantsClose)
        gate.open()
        await harness.settle()
        #expect(harness.responses[1]?.status == 200)
        #expect(harness.server.wantsClose)
    }

    @Test func connection_IsReleased_WhileAHandlerStillRuns() async throws {
        let gate = Gate()
        let harness = try ConnectionHarness(responder: ClosureResponder { _ in
            await gate.wait()
            return .text("too late")
        })
        harness.start()
        harness.send(.request(1))
        #expect(harness.closeAndRelease())
        gate.open()
    }

    @Test func continuationFlood_EndsTheConnection() throws {
        let harness = try ConnectionHarness()
        harness.start()
        var request = Frame.request(1)
        request.flags = 0  // neither END_HEADERS nor END_STREAM: CONTINUATION frames must follow
        harness.send(request)
        for _ in 0..<20 {
            harness.send(Frame(.continuation, streamID: 1, payload: [0x40, 1, 0x78, 1, 0x79]))  // literal x: y
        }
        #expect(harness.goaway != nil || !harness.accepted)
        #expect(harness.server.wantsClose)
    }

    @Test func rapidReset_EndsTheConnectionWithGoaway() throws {
        let harness = try ConnectionHarness()
        harness.start()
        // Open and cancel streams faster than the RST_STREAM token bucket (burst 200) refills.
        for index in 0..<400 {
            let id = Int32(2 * index + 1)
            harness.send(.request(id, endStream: false), .rstStream(id, code: 8))
            if harness.goaway != nil { break }
        }
        #expect(harness.goaway != nil)
        #expect(harness.server.wantsClose)
    }
}
