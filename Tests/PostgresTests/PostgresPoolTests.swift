import Foundation
import Postgres
import Testing
import ThrowawayPostgres

@Suite struct PostgresPoolTests {
    @Test func manyConcurrentCallersShareTheConnections() async throws {
        let pool = PostgresPool(try ConnectionSettings(try await ThrowawayPostgres.freshDatabase()), configuration: .init(size: 4))
        defer { pool.close() }
        let results = try await withThrowingTaskGroup(of: (Int, Int64, Int32).self) { group in
            for index in 0..<200 {
                group.addTask {
                    try await pool.withConnection { connection in
                        let row = try connection.execute("SELECT $1::int + 1", [PostgresValue(index)]).single("sum")
                        return (index, try row.int64(0), connection.backendPID)
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 200)
        #expect(results.allSatisfy { Int64($0.0 + 1) == $0.1 })
        let backends = Set(results.map(\.2))
        #expect(backends.count <= 4 && !backends.isEmpty)
    }

    @Test func aCallerWaitsBoundedForAFreeConnection() async throws {
        let pool = PostgresPool(
            try ConnectionSettings(try await ThrowawayPostgres.freshDatabase()),
            configuration: .init(size: 1, acquireTimeout: .milliseconds(200)))
        defer { pool.close() }
        let busy = Task { try await pool.withConnection { try $0.execute("SELECT pg_sleep(1.5)") } }
        try await Task.sleep(for: .milliseconds(300))
        await #expect {
            try await pool.withConnection { try $0.execute("SELECT 1") }
        } throws: { error in
            (error as? PostgresError)?.kind == .poolTimeout
        }
        _ = try await busy.value
        #expect(try await pool.withConnection { try $0.execute("SELECT 2").single("two").int64(0) } == 2)
    }

    @Test func aTerminatedConnectionIsReplacedBeforeTheNextCallerGetsIt() async throws {
        let connectionString = try await ThrowawayPostgres.freshDatabase()
        let pool = PostgresPool(try ConnectionSettings(connectionString), configuration: .init(size: 1))
        defer { pool.close() }
        let first = try await pool.withConnection { $0.backendPID }
        let admin = try PostgresConnection(ConnectionSettings(connectionString))
        #expect(try admin.execute("SELECT pg_terminate_backend($1::int)", [PostgresValue(Int(first))]).single("kill").bool(0))
        // The server's farewell reaches the idle connection's socket; the pool reads it before handing the
        // connection out, and connects anew instead.
        var ended = false
        for _ in 0..<100 where !ended {
            ended = try admin.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = $1::int", [PostgresValue(Int(first))])
                .single("backend").int64(0) == 0
            if !ended { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(ended)
        let second = try await pool.withConnection { try $0.execute("SELECT pg_backend_pid()").single("pid").int64(0) }
        #expect(Int32(second) != first)
    }

    @Test func pingAnswersWhileTheDatabaseIsUp_AndFailsAsConnectionFailedWhenItIsNot() async throws {
        let up = PostgresPool(try ConnectionSettings(try await ThrowawayPostgres.freshDatabase()))
        defer { up.close() }
        try await up.ping()
        let down = PostgresPool(try ConnectionSettings("host=127.0.0.1 port=1 dbname=none connect_timeout=2"))
        defer { down.close() }
        await #expect {
            try await down.ping()
        } throws: { error in
            (error as? PostgresError)?.kind == .connectionFailed
        }
    }

    @Test func aClosedPoolRefusesWork() async throws {
        let pool = PostgresPool(try ConnectionSettings(try await ThrowawayPostgres.freshDatabase()))
        try await pool.ping()
        await pool.shutdown()
        await #expect {
            try await pool.withConnection { try $0.execute("SELECT 1") }
        } throws: { error in
            (error as? PostgresError)?.kind == .closed
        }
    }
}
