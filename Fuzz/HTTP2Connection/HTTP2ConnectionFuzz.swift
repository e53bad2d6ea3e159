// libFuzzer entry point for HTTP2Connection, compiled into one module with Sources/HTTP2 (HTTPCore built as a
// separate module first) by scripts/fuzz.sh. Seeds: the h2spec client streams of ../shared/corpus/h2spec.
//
// Each input is a client byte stream (the preface is prepended when missing, so mutations reach the frames). It is
// fed whole and then in pieces cut by its own bytes; every handler is run to completion, output drained. nghttp2 or
// the glue trapping, leaking a connection or leaving a frame half-written is a crash.
import Dispatch
import HTTPCore
import Synchronization

/// Small limits so short inputs reach the 413/431 paths.
private let fuzzLimits = HTTPLimits(maxHeaderBytes: 512, maxHeaderFields: 8, maxBodyBytes: 256)

/// Answers with a body that exceeds one DATA frame half the time, streamed or whole, so both data paths run.
private let fuzzResponder = ClosureResponder { request in
    let size = request.target.utf8.count % 2 == 0 ? 20_000 : 3
    if request.method == .post {
        return HTTPResponse(body: .stream { writer in
            try await writer.write(request.body)
            try await writer.write([UInt8](repeating: 0x61, count: size))
        })
    }
    return HTTPResponse(bytes: [UInt8](repeating: 0x62, count: size))
}

/// Runs the loop jobs on the fuzzing thread; `waitForJob` blocks it until a handler task posts one.
private final class FuzzHost: HTTP2ConnectionHost {
    private let jobs = Mutex<[@Sendable () -> Void]>([])
    private let signal = DispatchSemaphore(value: 0)

    func execute(onLoop job: @escaping @Sendable () -> Void) {
        jobs.withLock { $0.append(job) }
        signal.signal()
    }

    func outputAvailable() {}

    func runJobs() {
        for job in jobs.withLock({ jobs in defer { jobs.removeAll() }; return jobs }) { job() }
    }

    func waitForJob(milliseconds: Int) -> Bool { signal.wait(timeout: .now() + .milliseconds(milliseconds)) == .success }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTP2Connection(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = Array(UnsafeBufferPointer(start: data, count: size))
    if !input.starts(with: HTTP2Preface.bytes) { input = HTTP2Preface.bytes + input }
    replay(input, pieces: 1)
    replay(input, pieces: 1 + Int(input.last ?? 0) % 7)
    return 0
}

private func replay(_ input: [UInt8], pieces: Int) {
    var host = FuzzHost()
    weak var released: HTTP2Connection?
    do {
        let connection = try! HTTP2Connection(limits: fuzzLimits, responder: fuzzResponder, host: host)
        released = connection
        var output: [UInt8] = []
        let step = max(1, input.count / pieces)
        for start in stride(from: 0, to: input.count, by: step) where !connection.wantsClose {
            connection.receive(Array(input[start..<min(start + step, input.count)]))
            output += connection.pendingOutput()
        }
        // Handlers run on the global executor; bring their results back until none is outstanding.
        var rounds = 0
        while connection.hasHandlersRunning {
            precondition(host.waitForJob(milliseconds: 5000), "a handler never came back")
            host.runJobs()
            output += connection.pendingOutput()
            rounds += 1
            precondition(rounds < 10_000, "handlers keep the connection busy forever")
        }
        output += connection.pendingOutput()
        precondition(wholeFrames(output), "output ends in a partial frame")
        connection.close()
    }
    precondition(released == nil, "the connection leaked")
    // Cancelled handler tasks still hold the host until they have run down; wait for them so none outlives the input.
    var waits = 0
    while !isKnownUniquelyReferenced(&host) {
        _ = host.waitForJob(milliseconds: 1)
        host.runJobs()
        waits += 1
        precondition(waits < 10_000, "a handler task never finished")
    }
}

private func wholeFrames(_ bytes: [UInt8]) -> Bool {
    var index = 0
    while bytes.count - index >= 9 {
        index += 9 + (Int(bytes[index]) << 16 | Int(bytes[index + 1]) << 8 | Int(bytes[index + 2]))
    }
    return index == bytes.count
}
