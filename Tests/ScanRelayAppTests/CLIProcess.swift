import Foundation
import Testing

/// Runs the built `scanrelay` executable, which SwiftPM puts beside the test bundle in whatever scratch path is used.
enum CLIProcess {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// `SCANRELAY_BINARY` if set, else `scanrelay` beside the test bundle (the `.xctest` this code was loaded from).
    static let binary: URL = {
        if let path = ProcessInfo.processInfo.environment["SCANRELAY_BINARY"] { return URL(fileURLWithPath: path) }
        #if os(Linux)
        // The runner may be swiftpm-testing-helper, so argv[0] is not the bundle: find it among the mapped files.
        let maps = (try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8)) ?? ""
        let bundle = maps.split(separator: "\n").lazy.compactMap { $0.split(separator: " ").last }
            .first { $0.hasSuffix(".xctest") }.map(String.init)
        #else
        let bundle = Bundle.allBundles.first { $0.bundlePath.hasSuffix(".xctest") }?.bundlePath
        #endif
        guard let bundle else { fatalError("cannot locate the test bundle; set SCANRELAY_BINARY") }
        return URL(fileURLWithPath: bundle).deletingLastPathComponent().appendingPathComponent("scanrelay")
    }()

    /// The test process's environment without `SCANRELAY_*` settings, plus `extra`: runs must not depend on the shell.
    static func environment(_ extra: [String: String]) -> [String: String] {
        ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SCANRELAY_") }.merging(extra) { _, new in new }
    }

    static func makeProcess(_ arguments: [String], environment extra: [String: String]) -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = environment(extra)
        return process
    }

    /// Runs to completion, collecting both outputs.
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> Result {
        let process = try StreamedProcess(arguments, environment: environment)
        return await process.finish()
    }

    /// Reads `pipe` on a thread of its own with read(2), retrying EINTR (Foundation's `availableData` traps on it),
    /// handing over each chunk and finally `nil` at end of file.
    static func drain(_ pipe: Pipe, _ onChunk: @escaping @Sendable (Data?) -> Void) {
        let descriptor = pipe.fileHandleForReading.fileDescriptor
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count > 0 {
                    onChunk(Data(buffer[0..<count]))
                } else if count < 0 && errno == EINTR {
                    continue
                } else {
                    onChunk(nil)
                    return
                }
            }
        }
    }
}

/// Lines of one output of a process as they arrive; waiters are resumed by the line they wait for.
final class LineStream: @unchecked Sendable {  // mutable state is guarded by `lock`
    private let lock = NSLock()
    private var lines: [String] = []
    private var partial = Data()
    private var ended = false
    private var waiters: [(predicate: (String) -> Bool, continuation: CheckedContinuation<String?, Never>)] = []
    private var endWaiters: [CheckedContinuation<Void, Never>] = []

    init(_ pipe: Pipe) {
        CLIProcess.drain(pipe) { [self] chunk in received(chunk) }
    }

    var all: [String] { lock.withLock { lines } }

    /// Everything read, once the writer closed its end.
    func text() async -> String {
        await withCheckedContinuation { continuation in
            lock.withLock { ended ? continuation.resume() : endWaiters.append(continuation) }
        }
        return lock.withLock { lines.map { $0 + "\n" }.joined() + String(decoding: partial, as: UTF8.self) }
    }

    /// The first line (already read or still to come) that satisfies `predicate`; nil when the output ends first.
    func line(where predicate: @escaping (String) -> Bool) async -> String? {
        await withCheckedContinuation { continuation in
            lock.withLock {
                if let seen = lines.first(where: predicate) {
                    continuation.resume(returning: seen)
                } else if ended {
                    continuation.resume(returning: nil)
                } else {
                    waiters.append((predicate, continuation))
                }
            }
        }
    }

    private func received(_ chunk: Data?) {
        lock.withLock {
            var complete: [String] = []
            if let chunk {
                partial.append(chunk)
                while let newline = partial.firstIndex(of: UInt8(ascii: "\n")) {
                    complete.append(String(decoding: partial[partial.startIndex..<newline], as: UTF8.self))
                    partial.removeSubrange(partial.startIndex...newline)
                }
            } else {
                ended = true
            }
            lines += complete
            waiters.removeAll { waiter in
                if let match = complete.first(where: waiter.predicate) {
                    waiter.continuation.resume(returning: match)
                    return true
                }
                if ended { waiter.continuation.resume(returning: nil) }
                return ended
            }
            if ended {
                endWaiters.forEach { $0.resume() }
                endWaiters.removeAll()
            }
        }
    }
}

/// A `scanrelay` process running in the background, both outputs read line by line as they arrive.
final class StreamedProcess: Sendable {
    let process: Process
    let output: LineStream
    let errors: LineStream

    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        let process = CLIProcess.makeProcess(arguments, environment: environment)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        self.process = process
        output = LineStream(out)
        errors = LineStream(err)
    }

    /// Starts `serve --listen 127.0.0.1:0` and returns it with the port from its `listening on HOST:PORT` line.
    static func serve(_ arguments: [String] = [], environment: [String: String] = [:]) async throws -> (StreamedProcess, port: Int) {
        let serve = try StreamedProcess(["serve", "--listen", "127.0.0.1:0"] + arguments, environment: environment)
        let line = await serve.line { $0.contains("listening on ") }
        let address = try #require(line, "serve did not report its address: \(serve.errors.all)")
            .components(separatedBy: "listening on ")[1].prefix { $0 != "\"" && $0 != " " }
        return (serve, try #require(address.split(separator: ":").last.flatMap { Int($0) }))
    }

    /// A line of standard error (where logs and progress go).
    func line(where predicate: @escaping (String) -> Bool) async -> String? {
        await errors.line(where: predicate)
    }

    /// Waits for the process to end by itself.
    func finish() async -> CLIProcess.Result {
        let stdout = await output.text()
        let stderr = await errors.text()
        process.waitUntilExit()
        return CLIProcess.Result(status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }

    /// SIGTERM, then the exit status once the graceful shutdown is over.
    func stop() async -> Int32 {
        process.terminate()
        return await finish().status
    }
}
