import ChildProcesses
import Foundation

/// One of upstream_servers.py's loopback upstreams, in its own process; its events read as they happen.
public final class UpstreamServer: Sendable {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("upstream_servers.py").path

    public let process: RunningProcess
    public let port: Int

    /// Starts `mode` with `arguments` and waits for its ready line.
    public init(_ mode: String, _ arguments: [String] = []) async throws {
        process = try await RunningProcess("python3", [Self.script, mode] + arguments)
        guard let ready = await process.output.line(where: { $0.contains("\"ready\"") }),
              let port = UpstreamEvent(ready)?.int("port")
        else {
            let errors = try await process.stop().stderr
            throw ServerFailure(description: "upstream_servers.py \(mode) did not start: \(errors)")
        }
        self.port = port
    }

    deinit { process.signal(SIGKILL) }

    public var url: String { "http://127.0.0.1:\(port)" }

    /// The first event named `name` (already printed or still to come) that `matches`; nil if the process ended.
    public func event(_ name: String, where matches: @escaping @Sendable (UpstreamEvent) -> Bool = { _ in true })
        async -> UpstreamEvent?
    {
        let line = await process.output.line { line in
            guard let event = UpstreamEvent(line), event.name == name else { return false }
            return matches(event)
        }
        return line.flatMap(UpstreamEvent.init)
    }

    /// Every event named `name` printed so far.
    public func events(_ name: String) -> [UpstreamEvent] {
        process.output.all.compactMap(UpstreamEvent.init).filter { $0.name == name }
    }

    public struct ServerFailure: Error, CustomStringConvertible {
        public var description: String
    }
}

/// Waits at most `limit` for `operation`: a test's guard against a hang, never an assertion on speed.
public func within<T: Sendable>(_ limit: Duration = .seconds(30), _ operation: @escaping @Sendable () async -> T?) async -> T? {
    await withTaskGroup(of: T?.self) { group in
        group.addTask { await operation() }
        group.addTask { try? await Task.sleep(for: limit); return nil }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
    }
}

/// One JSON line of upstream_servers.py: `{"event": name, ...}`.
public struct UpstreamEvent: Sendable {
    public let line: String
    public let name: String

    init?(_ line: String) {
        guard let name = Self.object(line)?["event"] as? String else { return nil }
        self.line = line
        self.name = name
    }

    public subscript(_ key: String) -> String? { Self.object(line)?[key] as? String }

    public func int(_ key: String) -> Int? { Self.object(line)?[key] as? Int }

    /// Request header fields, names in lower case.
    public var headers: [String: String] { Self.object(line)?["headers"] as? [String: String] ?? [:] }

    private static func object(_ line: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
    }
}
