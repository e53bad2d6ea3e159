import Foundation
import Postgres
import ScanCore

/// Scans, delivery keys, events and watches in PostgreSQL, shared by every replica: each flow one transaction, every
/// time that decides anything from the database's `now()`. Knows nothing of HTTP; the app's state seam calls it.
///
/// Blocking work runs on the pool's threads; every method is async and throws ``PostgresError`` (the database is
/// unreachable, a timeout) or an error of the flow.
public final class PostgresScanState: Sendable {
    public struct Configuration: Sendable {
        /// The NOTIFY channel events are announced on (payload: the last event id of the transaction).
        public var notifyChannel: String
        /// Runs of a write transaction the server ended as a deadlock victim or serialization failure, in all.
        public var maxAttempts: Int

        public init(notifyChannel: String = "scanrelay_events", maxAttempts: Int = 3) {
            self.notifyChannel = notifyChannel
            self.maxAttempts = max(1, maxAttempts)
        }
    }

    public let pool: PostgresPool
    public let configuration: Configuration

    public init(pool: PostgresPool, configuration: Configuration = Configuration()) {
        self.pool = pool
        self.configuration = configuration
    }

    /// Runs `body` in a transaction on a pooled connection, again (up to `maxAttempts` in all) when the server
    /// chose it as a deadlock's victim or it lost a serialization conflict: nothing of a failed run was committed.
    func write<Result: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> Result) async throws -> Result {
        let attempts = configuration.maxAttempts
        return try await pool.withConnection { connection in
            var attempt = 1
            while true {
                do {
                    return try connection.transaction(body)
                } catch let error as PostgresError where (error.kind == .deadlock || error.kind == .serializationFailure) && attempt < attempts {
                    attempt += 1
                }
            }
        }
    }

    /// ``write(_:)`` whose BEGIN travels with its first statement (``PostgresConnection/transaction(begin:first:_:)``).
    func write<Result: Sendable>(
        first: (sql: String, parameters: [PostgresValue?]),
        _ body: @escaping @Sendable (PostgresRows, PostgresConnection) throws -> Result
    ) async throws -> Result {
        let attempts = configuration.maxAttempts
        return try await pool.withConnection { connection in
            var attempt = 1
            while true {
                do {
                    return try connection.transaction(first: first, body)
                } catch let error as PostgresError where (error.kind == .deadlock || error.kind == .serializationFailure) && attempt < attempts {
                    attempt += 1
                }
            }
        }
    }

    func read<Result: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> Result) async throws -> Result {
        try await pool.withConnection(body)
    }
}
