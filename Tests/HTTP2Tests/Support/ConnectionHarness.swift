import HTTP2
import HTTPCore
import Testing

/// Drives one `HTTP2Connection` like a client would, without sockets: writes frames in, reads and decodes frames out.
final class ConnectionHarness {
    struct Response {
        var status: Int?
        var headers: [(String, String)] = []
        var body: [UInt8] = []
        var ended = false
        var resetCode: UInt32?

        func header(_ name: String) -> String? { headers.first { $0.0 == name }?.1 }
    }

    let loop = TestLoop()
    private(set) var connection: HTTP2Connection?
    private(set) var frames: [Frame] = []
    private(set) var responses: [Int32: Response] = [:]
    private var unparsed: [UInt8] = []
    private let decoder = HeaderDecoder()
    /// Response fields the server sent as never-indexed literals, in order.
    var neverIndexedFields: [String] { decoder.neverIndexed }
    /// Whether the last `receive` left the connection usable.
    private(set) var accepted = true

    init(configuration: HTTP2Configuration = HTTP2Configuration(), limits: HTTPLimits = HTTPLimits(),
         responder: any HTTPResponder = ClosureResponder { _ in .text("ok") }) throws {
        connection = try HTTP2Connection(configuration: configuration, limits: limits, responder: responder, host: loop)
    }

    var server: HTTP2Connection { connection! }

    /// Preface plus an empty SETTINGS, as every client starts.
    func start() {
        send(HTTP2Preface.bytes + Frame.settings().bytes)
    }

    func send(_ frames: Frame...) {
        send(frames.flatMap(\.bytes))
    }

    func send(_ bytes: [UInt8]) {
        accepted = server.receive(bytes) && accepted
        drain()
    }

    /// Reads everything the connection has to say, as a socket writer would.
    func drain() {
        while true {
            let chunk = server.pendingOutput(maxBytes: 16 * 1024)
            if chunk.isEmpty { break }
            unparsed += chunk
        }
        let (parsed, rest) = Frame.parse(unparsed)
        unparsed.removeFirst(rest)
        for frame in parsed { record(frame) }
        frames += parsed
    }

    /// Bytes of a frame cut short: must stay 0 once drained.
    var incompleteOutputBytes: Int { unparsed.count }

    private func record(_ frame: Frame) {
        switch frame.kind {
        case .headers:
            var response = responses[frame.streamID] ?? Response()
            let fields = decoder.decode(frame.payload) ?? []
            response.status = fields.first { $0.0 == ":status" }.flatMap { Int($0.1) }
            response.headers = fields
            response.ended = frame.endsStream
            responses[frame.streamID] = response
        case .data:
            responses[frame.streamID, default: Response()].body += frame.payload
            if frame.endsStream { responses[frame.streamID]?.ended = true }
        case .rstStream:
            responses[frame.streamID, default: Response()].resetCode = frame.errorCode
        default:
            break
        }
    }

    var goaway: Frame? { frames.last { $0.kind == .goaway } }

    /// Runs loop jobs until `condition` holds, waiting for handler tasks in between (bounded: a hang fails).
    func run(until condition: () -> Bool) async {
        for _ in 0..<100_000 {
            loop.runPending()
            drain()
            if condition() { return }
            await loop.waitForJob()
        }
        Issue.record("the connection never reached the expected state")
    }

    /// Runs until no handler is running and no job is queued.
    func settle() async {
        await run { !(connection?.hasHandlersRunning ?? false) && !loop.hasJobs }
    }

    /// Closes and releases the connection; returns whether it was freed (no task or callback keeps it alive).
    func closeAndRelease() -> Bool {
        weak let released = connection
        connection?.close()
        connection = nil
        loop.stop()
        return released == nil
    }
}
