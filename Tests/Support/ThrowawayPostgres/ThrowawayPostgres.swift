import ChildProcesses
import Foundation
import Postgres

/// The real PostgreSQL the tests use: one throwaway server per test process (scripts/postgres/throwaway.sh: a fresh
/// cluster in a temporary directory, reached through its Unix socket only; as root it runs as the `postgres` user),
/// and a fresh database per test, so tests running in parallel never see each other's rows.
public enum ThrowawayPostgres {
    /// A connection string to a new, empty database of the test process's server.
    public static func freshDatabase() async throws -> String {
        let server = try await Server.shared.start()
        let name = "t\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())"
        try await server.admin.withConnection { connection in
            try connection.execute("CREATE DATABASE \(name)")
        }
        return server.connectionString(database: name)
    }

    /// A server of the caller's own, for a test that takes the database down and up again (the shared one serves
    /// tests running in parallel). `stop()` it at the end.
    public static func privateServer() async throws -> PrivateServer {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("scanrelay-pg-private-\(getpid())-\(UUID().uuidString.prefix(8))").path
        let result = try await ChildProcess.run("/bin/bash", [script, "start", directory])
        guard result.status == 0 else { throw StartFailed(output: result.stdout + result.stderr) }
        return PrivateServer(directory: directory, connectionString: result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    public struct PrivateServer: Sendable {
        public let directory: String
        public let connectionString: String

        /// Stops the server, keeping its data: connections break, new ones are refused.
        public func down() async throws { try await run("down") }
        /// Starts it again after ``down()``.
        public func up() async throws { try await run("up") }
        /// Fast shutdown (every connection cut), then started again on the same socket.
        public func restart() async throws { try await run("restart") }
        /// Stops it for good and removes its directory.
        public func stop() async throws { try await run("stop") }

        private func run(_ command: String) async throws {
            let result = try await ChildProcess.run("/bin/bash", [ThrowawayPostgres.script, command, directory])
            guard result.status == 0 else { throw StartFailed(output: "\(command): " + result.stdout + result.stderr) }
        }
    }

    /// The server's socket directory and admin pool; started on first use.
    public struct Running: Sendable {
        public let directory: String
        let admin: PostgresPool

        public func connectionString(database: String) -> String {
            "host=\(directory) port=5432 user=postgres dbname=\(database)"
        }
    }

    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/postgres/throwaway.sh").path

    actor Server {
        static let shared = Server()
        private var running: Task<Running, any Error>?

        func start() async throws -> Running {
            if let running { return try await running.value }
            let task = Task<Running, any Error> {
                let directory = FileManager.default.temporaryDirectory
                    .appendingPathComponent("scanrelay-pg-\(getpid())-\(UUID().uuidString.prefix(8))").path
                let result = try await ChildProcess.run("/bin/bash", [ThrowawayPostgres.script, "start", directory])
                guard result.status == 0 else {
                    throw StartFailed(output: result.stdout + result.stderr)
                }
                stopAtExit(directory: directory)
                let settings = try ConnectionSettings(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
                return Running(directory: directory, admin: PostgresPool(settings, configuration: .init(size: 1, acquireTimeout: .seconds(30))))
            }
            running = task
            return try await task.value
        }
    }

    struct StartFailed: Error, CustomStringConvertible {
        let output: String
        var description: String { "throwaway.sh failed: \(output)" }
    }
}

/// The directory of the server to stop when the test process exits (set once, before any exit can run the handler).
nonisolated(unsafe) private var serverDirectory: String?

private func stopAtExit(directory: String) {
    serverDirectory = directory
    atexit {
        guard let directory = serverDirectory else { return }
        // Fast shutdown and the directory removed; a crash of the test process leaves only a temporary directory.
        let command = "/bin/bash '\(ThrowawayPostgres.script)' stop '\(directory)' >/dev/null 2>&1"
        _ = system(command)
    }
}
