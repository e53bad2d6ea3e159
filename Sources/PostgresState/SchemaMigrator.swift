import Postgres

/// Brings a database to ``SchemaMigrations/latestVersion`` at start. Replicas starting together are serialized by a
/// session-level advisory lock (held only while migrating, on one connection): the first applies what is missing,
/// the others then find nothing to do.
public enum SchemaMigrator {
    /// The database holds a schema newer than this binary knows: run the newer binary (or restore the database).
    public struct SchemaTooNew: Error, Hashable, CustomStringConvertible {
        public let databaseVersion: Int
        public let knownVersion: Int

        public var description: String {
            "the database schema is at version \(databaseVersion), newer than this ScanRelay knows (\(knownVersion)): "
                + "run a ScanRelay at least as new as the one that migrated it"
        }
    }

    public struct Report: Sendable, Hashable {
        /// Versions this call applied (empty when another replica, or an earlier start, had).
        public let applied: [Int]
        public let version: Int
    }

    /// Any 64-bit number unique to this use; "SCANRELA" in ASCII.
    static let lockKey: Int64 = 0x5343_414E_5245_4C41

    public static func migrate(
        _ pool: PostgresPool, migrations: [SchemaMigrations.Migration] = SchemaMigrations.all
    ) async throws -> Report {
        try await pool.withConnection { connection in try migrate(connection, migrations: migrations) }
    }

    static func migrate(_ connection: PostgresConnection, migrations: [SchemaMigrations.Migration]) throws -> Report {
        let known = migrations.last?.version ?? 0
        try connection.execute("SELECT pg_advisory_lock($1::bigint)", [PostgresValue(lockKey)])
        // A lost connection releases the lock with the session; otherwise it is given back whatever happened.
        defer { if connection.isConnected { _ = try? connection.execute("SELECT pg_advisory_unlock($1::bigint)", [PostgresValue(lockKey)]) } }
        try connection.execute("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
        let current = Int(try connection.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").single("schema version").int64(0))
        guard current <= known else { throw SchemaTooNew(databaseVersion: current, knownVersion: known) }
        var applied: [Int] = []
        for migration in migrations where migration.version > current {
            try connection.transaction { connection in
                try connection.executeScript(migration.sql)
                try connection.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                    [PostgresValue(migration.version), PostgresValue(migration.name)])
            }
            applied.append(migration.version)
        }
        return Report(applied: applied, version: max(current, known))
    }
}
