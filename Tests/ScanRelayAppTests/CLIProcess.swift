import ChildProcesses
import Foundation
import Testing

/// Runs the built `scanrelay` executable, which SwiftPM puts beside the test bundle in whatever scratch path is used.
enum CLIProcess {
    /// `SCANRELAY_BINARY` if set, else `scanrelay` beside the test bundle (the `.xctest` this code was loaded from).
    static let binary: URL = {
        if let path = ProcessInfo.processInfo.environment["SCANRELAY_BINARY"] { return URL(fileURLWithPath: path) }
        #if os(Linux)
        // The runner may be swiftpm-testing-helper, so argv[0] is not the bundle: find it among the mapped files.
        // Read to the end through FileHandle: String(contentsOfFile:) trusts st_size, 0 for a /proc file, and returns
        // only the first 4 KiB, which under ThreadSanitizer (many more mappings) ends before the bundle's line.
        let mapsData = try? FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/self/maps")).readToEnd()
        let maps = String(decoding: mapsData ?? Data(), as: UTF8.self)
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

    /// Runs to completion, collecting both outputs.
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> ChildResult {
        try await ChildProcess.run(binary.path, arguments, environment: Self.environment(environment))
    }
}

/// A `scanrelay` process running in the background, both outputs read line by line as they arrive.
final class StreamedProcess: Sendable {
    private let child: RunningProcess
    var output: LineStream { child.output }
    var errors: LineStream { child.errors }
    var processID: Int32 { child.processID }

    init(_ arguments: [String], environment: [String: String] = [:]) async throws {
        child = try await RunningProcess(CLIProcess.binary.path, arguments, environment: CLIProcess.environment(environment))
    }

    /// Starts `serve --listen 127.0.0.1:0` and returns it with the port from its `listening on HOST:PORT` line.
    static func serve(_ arguments: [String] = [], environment: [String: String] = [:]) async throws -> (StreamedProcess, port: Int) {
        let serve = try await StreamedProcess(["serve", "--listen", "127.0.0.1:0"] + arguments, environment: environment)
        let line = await serve.line { $0.contains("listening on ") }
        let address = try #require(line, "serve did not report its address: \(serve.errors.all)")
            .components(separatedBy: "listening on ")[1].prefix { $0 != "\"" && $0 != " " }
        return (serve, try #require(address.split(separator: ":").last.flatMap { Int($0) }))
    }

    /// A line of standard error (where logs and progress go).
    func line(where predicate: @escaping (String) -> Bool) async -> String? {
        await errors.line(where: predicate)
    }

    /// Sends `signal` (SIGTERM, SIGKILL) if the process is still running.
    func signal(_ number: Int32) {
        child.signal(number)
    }

    /// Waits for the process to end by itself.
    func finish() async throws -> ChildResult {
        try await child.finish()
    }

    /// SIGTERM, then the exit status once the graceful shutdown is over.
    func stop() async throws -> Int32 {
        try await child.stop().status
    }

    /// SIGTERM, then expects a clean exit. When the status is not 0 the expectation carries the end of standard
    /// error, where the reason is: the last log lines, or a sanitizer's report.
    func expectCleanStop(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let status = try await stop()
        #expect(
            status == 0,
            "exit status \(status); the end of standard error:\n\(errors.all.suffix(60).joined(separator: "\n"))",
            sourceLocation: sourceLocation
        )
    }
}
