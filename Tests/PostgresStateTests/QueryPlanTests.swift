import Foundation
import Postgres
import PostgresState
import ScanCore
import Testing
import ThrowawayPostgres

/// A pooled session prepares each statement once and, after a few executions, PostgreSQL may keep one generic plan
/// for it for the rest of the session — made from the statistics of that moment. A replica that starts on an empty
/// database must not keep a plan that reads every scan: these sessions are forced onto generic plans from the first
/// execution, on a database whose `scans` table was never analyzed, and the table's own counters must show that no
/// row was ever read by a sequential scan (the migration's index builds scan it too, but while it is empty).
@Suite struct QueryPlanTests {
    @Test func deliveriesAndPollResults_OnAFreshDatabase_NeverScanTheScansTable() async throws {
        let database = try await TestDatabase.make()
        database.close()
        let settings = try ConnectionSettings(database.connectionString + " options='-c plan_cache_mode=force_generic_plan'")
        let pool = PostgresPool(settings, configuration: .init(size: 2, acquireTimeout: .seconds(30)))
        let state = PostgresScanState(pool: pool)
        try await Self.deliverAndPoll(20, scans: 5, into: state)
        // Two ids in one delivery take the other statement shape; it must plan to the index as well.
        _ = try await state.acceptDelivery(
            key: "d-pair", window: .seconds(3600),
            updates: [.make(upstreamId: "scan-1", updated: .t(500)), .make(upstreamId: "scan-2", updated: .t(500))])
        pool.close()   // a backend reports its table counters when it ends

        let counters = try await eventually {
            try database.inspect { connection in
                try connection.execute(
                    """
                    SELECT seq_tup_read, idx_scan FROM pg_stat_user_tables
                    WHERE relname = 'scans' AND seq_scan + idx_scan >= 41
                    """
                ).rows.first.map { (rowsReadSequentially: try $0.int64(0), indexScans: try $0.int64(1)) }
            }
        }
        #expect(counters.rowsReadSequentially == 0, "a statement of the write path read the scans table sequentially")
        #expect(counters.indexScans >= 41)
        #expect(try database.count("scans") == 5)
    }

    /// PostgreSQL plans a prepared statement afresh on every call until a generic plan costs no more than the custom
    /// ones: a statement whose generic plan never qualifies pays for planning on every delivery (it was 140 + 93 µs
    /// of ~600 µs). After five custom plans, the write path's statements must run on their generic plan.
    @Test func theWritePathsStatements_ArePlannedOncePerSession() async throws {
        let database = try await TestDatabase.make()
        defer { database.close() }
        let pool = PostgresPool(try ConnectionSettings(database.connectionString), configuration: .init(size: 1, acquireTimeout: .seconds(30)))
        defer { pool.close() }
        let state = PostgresScanState(pool: pool)
        try await Self.deliverAndPoll(20, scans: 4, into: state)
        let statements = try await pool.withConnection { connection in
            try connection.execute(
                "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements WHERE generic_plans + custom_plans >= 10"
            ).rows.map { (sql: try $0.string(0), generic: try $0.int64(1), custom: try $0.int64(2)) }
        }
        #expect(statements.count >= 4, "the claim, the event append, the scan update and the poll's lock")
        #expect(statements.contains { $0.sql.contains("INSERT INTO deliveries") })
        #expect(statements.contains { $0.sql.contains("UPDATE event_counter") })
        for statement in statements {
            #expect(statement.custom <= 5, "planned on every call: \(statement.sql.prefix(80))")
        }
    }

    /// `count` webhook deliveries, each followed by a poll's result, spread over `scans` scans.
    private static func deliverAndPoll(_ count: Int, scans: Int, into state: PostgresScanState) async throws {
        for index in 0..<count {
            let upstreamId = "scan-\(index % scans)"
            let update = ScanUpdate.make(upstreamId: upstreamId, status: .running, created: .t(0), updated: .t(Double(index)))
            _ = try await state.acceptDelivery(key: "d-\(index)", window: .seconds(3600), updates: [update])
            let polled = ScanUpdate.make(upstreamId: upstreamId, status: .completed, created: .t(0), updated: .t(Double(100 + index)), via: .poll)
            _ = try await state.keep(polled, fence: nil)
        }
    }

    /// The statistics arrive shortly after the backends end.
    private func eventually<Value>(_ read: () throws -> Value?) async throws -> Value {
        for _ in 0..<100 {
            if let value = try read() { return value }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw PostgresError(.unexpectedResult, message: "no table statistics after 10 s")
    }
}
