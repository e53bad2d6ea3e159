import Foundation
import Subprocess
import SystemPackage

// Child processes for tests, through swift-subprocess rather than Foundation's `Process`: on Linux with Swift 6.3.1
// `Process.run()` over-reads a `dirent` while scanning /proc/self/fd and crashes the test bundle now and then
// (swift-corelibs-foundation#5472), which a suite spawning hundreds of curl, nghttp and python runs hits.

/// How a finished child ended and what it printed.
public struct ChildResult: Sendable {
    /// The exit code, or nil when a signal ended the process.
    public var exitCode: Int32?
    /// The signal that ended the process, if one did.
    public var signal: Int32?
    public var stdout: String
    public var stderr: String

    /// The exit code, or 128 + the signal number as a shell reports it.
    public var status: Int32 { exitCode ?? 128 + (signal ?? 0) }

    init(_ status: TerminationStatus, stdout: String, stderr: String) {
        switch status {
        case .exited(let code): exitCode = code
        case .signaled(let number): signal = number
        }
        self.stdout = stdout
        self.stderr = stderr
    }
}

public enum ChildProcess {
    /// Output a test may collect from one child; more is a failure of the child, not something to buffer.
    static let outputLimit = 64 << 20

    /// Runs `executable` (a path, or a name looked up in PATH) to completion with `input` on its standard input.
    /// With `mergingErrors` standard error is written into `stdout`, in order, as `2>&1` would.
    public static func run(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String]? = nil,
        input: Data? = nil,
        mergingErrors: Bool = false
    ) async throws -> ChildResult {
        let executable = try await Self.executable(executable)
        let environment = Self.environment(environment)
        let input = input ?? Data()
        if mergingErrors {
            let result = try await Subprocess.run(
                executable, arguments: Arguments(arguments), environment: environment,
                input: .data(input), output: .string(limit: outputLimit), error: .combinedWithOutput
            )
            return ChildResult(result.terminationStatus, stdout: result.standardOutput, stderr: "")
        }
        let result = try await Subprocess.run(
            executable, arguments: Arguments(arguments), environment: environment,
            input: .data(input), output: .string(limit: outputLimit), error: .string(limit: outputLimit)
        )
        return ChildResult(result.terminationStatus, stdout: result.standardOutput, stderr: result.standardError)
    }

    /// A path as given; a name looked up in PATH here, once, rather than by one spawn attempt per PATH entry.
    static func executable(_ name: String) async throws -> Executable {
        if name.contains("/") { return .path(FilePath(name)) }
        return .path(try await Executable.name(name).resolveExecutablePath(in: .inherit))
    }

    /// The whole environment when given (a child must not depend on the shell that ran the tests), else inherited.
    static func environment(_ variables: [String: String]?) -> Subprocess.Environment {
        guard let variables else { return .inherit }
        return .custom(Dictionary(uniqueKeysWithValues: variables.map { (Subprocess.Environment.Key(stringLiteral: $0.key), $0.value) }))
    }
}

/// A child running in the background: both outputs read line by line as they arrive, signals sent on request.
public final class RunningProcess: Sendable {
    public let output = LineStream()
    public let errors = LineStream()
    /// The child's process id (to read its `/proc/PID/status`, say).
    public let processID: Int32
    private let signals: AsyncStream<Int32>.Continuation
    private let outcome: Task<TerminationStatus, any Error>

    /// Starts `executable`; returns once it has been spawned, or throws why it could not be.
    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) async throws {
        let (signalRequests, signals) = AsyncStream.makeStream(of: Int32.self)
        self.signals = signals
        let (started, startedContinuation) = AsyncStream.makeStream(of: Result<Int32, any Error>.self)
        let output = output, errors = errors
        outcome = Task {
            do {
                let result = try await Subprocess.run(
                    try await ChildProcess.executable(executable), arguments: Arguments(arguments),
                    environment: ChildProcess.environment(environment),
                    input: .none, output: .sequence, error: .sequence
                ) { execution in
                    startedContinuation.yield(.success(Int32(execution.processIdentifier.value)))
                    // Signals go through the execution, which knows whether the process is still there for them.
                    let forwarder = Task {
                        for await number in signalRequests { try? execution.send(signal: Signal(rawValue: number)) }
                    }
                    async let readOutput: Void = output.read(execution.standardOutput)
                    async let readErrors: Void = errors.read(execution.standardError)
                    _ = await (readOutput, readErrors)
                    forwarder.cancel()
                }
                return result.terminationStatus
            } catch {
                startedContinuation.yield(.failure(error))  // ignored when the child had started
                throw error
            }
        }
        var spawned: Int32?
        for await start in started {
            spawned = try start.get()
            break
        }
        // The stream ends only after a yield; nil would mean the task ended without reporting, which it cannot.
        processID = spawned ?? -1
    }

    /// Sends `number` (SIGTERM, SIGKILL, ...) to the child if it is still running.
    public func signal(_ number: Int32) {
        signals.yield(number)
    }

    /// Waits for the child to end by itself.
    public func finish() async throws -> ChildResult {
        let status = try await outcome.value
        return ChildResult(status, stdout: await output.text(), stderr: await errors.text())
    }

    /// SIGTERM, then how the child ended once its shutdown is over.
    public func stop() async throws -> ChildResult {
        signal(SIGTERM)
        return try await finish()
    }
}

/// Lines of one output of a child as they arrive; waiters are resumed by the line they wait for.
public final class LineStream: @unchecked Sendable {  // mutable state is guarded by `lock`
    private let lock = NSLock()
    private var lines: [String] = []
    private var partial = Data()
    private var ended = false
    private var waiters: [(predicate: (String) -> Bool, continuation: CheckedContinuation<String?, Never>)] = []
    private var endWaiters: [CheckedContinuation<Void, Never>] = []

    init() {}

    /// The complete lines read so far.
    public var all: [String] { lock.withLock { lines } }

    /// Everything read, once the child closed its end.
    public func text() async -> String {
        await withCheckedContinuation { continuation in
            lock.withLock { ended ? continuation.resume() : endWaiters.append(continuation) }
        }
        return lock.withLock { lines.map { $0 + "\n" }.joined() + String(decoding: partial, as: UTF8.self) }
    }

    /// The first line (already read or still to come) that satisfies `predicate`; nil when the output ends first.
    public func line(where predicate: @escaping (String) -> Bool) async -> String? {
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

    /// Reads `sequence` to its end; a read error ends the stream as end of file would.
    func read(_ sequence: SubprocessOutputSequence) async {
        do {
            for try await buffer in sequence { received(buffer.withUnsafeBytes { Data($0) }) }
        } catch {}
        received(nil)
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
