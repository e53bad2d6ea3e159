import Postgres
import PostgresState
import Testing
import ThrowawayPostgres

@Suite struct SchemaMigratorTests {
    @Test func twoReplicasMigratingAtOnce_OneAppliesAndBothEndAtTheLatestVersion() async throws {
        let settings = try ConnectionSettings(try await ThrowawayPostgres.freshDatabase())
        let first = PostgresPool(settings)
        let second = PostgresPool(settings)
        defer {
            first.close()
            second.close()
        }
        async let a = SchemaMigrator.migrate(first)
        async let b = SchemaMigrator.migrate(second)
        let reports = try await [a, b]
        #expect(reports.map(\.version) == [SchemaMigrations.latestVersion, SchemaMigrations.latestVersion])
        #expect(reports.map(\.applied).sorted { $0.count < $1.count } == [[], SchemaMigrations.all.map(\.version)])
        let versions = try await first.withConnection { connection in
            try connection.execute("SELECT version FROM schema_migrations ORDER BY version").rows.map { try $0.int64(0) }
        }
        #expect(versions == SchemaMigrations.all.map { Int64($0.version) })
        // A later start finds nothing to do.
        #expect(try await SchemaMigrator.migrate(first).applied.isEmpty)
    }

    @Test func aDatabaseWithANewerSchemaIsRefused() async throws {
        let pool = PostgresPool(try ConnectionSettings(try await ThrowawayPostgres.freshDatabase()))
        defer { pool.close() }
        _ = try await SchemaMigrator.migrate(pool)
        let newer = SchemaMigrations.latestVersion + 1
        try await pool.withConnection { connection in
            try connection.execute("INSERT INTO schema_migrations (version, name) VALUES ($1, 'from the future')", [PostgresValue(newer)])
        }
        await #expect {
            try await SchemaMigrator.migrate(pool)
        } throws: { error in
            guard let error = error as? SchemaMigrator.SchemaTooNew else { return false }
            return error.databaseVersion == newer && error.knownVersion == SchemaMigrations.latestVersion
                && error.description.contains("newer than this ScanRelay knows")
        }
        // The advisory lock was given back: another migration call does not hang.
        let lockHeld = try await pool.withConnection { connection in
            // This database's only: other tests migrate their own databases on the same server meanwhile.
            try connection.execute(
                """
                SELECT count(*) FROM pg_locks
                WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                """
            ).single("locks").int64(0)
        }
        #expect(lockHeld == 0)
    }
}
