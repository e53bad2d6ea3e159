import Foundation
@testable import Postgres
import Testing
import ThrowawayPostgres

/// A connection prepares each query it runs once per session and executes it prepared from then on: fewer parses
/// and plans for the server, the same answers and errors for the caller.
@Suite struct PreparedStatementTests {
    func connection() async throws -> PostgresConnection {
        try PostgresConnection(ConnectionSettings(try await ThrowawayPostgres.freshDatabase()))
    }

    func preparedCount(_ connection: PostgresConnection, matching text: String) throws -> Int64 {
        // Itself a query, so itself prepared: counted by the text it does not share with `text`.
        try connection.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement = $1", [PostgresValue(text)])
            .single("count").int64(0)
    }

    @Test func aQueryRunTwice_IsPreparedOnce_AndAnswersBothTimes() async throws {
        let connection = try await connection()
        let sql = "SELECT $1::int * 2 AS doubled"
        #expect(try connection.execute(sql, [PostgresValue(21)]).single("doubled").int64(0) == 42)
        #expect(try connection.execute(sql, [PostgresValue(5)]).single("doubled").int64(0) == 10)
        #expect(try preparedCount(connection, matching: sql) == 1)
    }

    @Test func transactionControlAndUtilityStatements_RunAsText() async throws {
        #expect(PostgresConnection.isPreparable("  WITH x AS (SELECT 1) SELECT * FROM x"))
        #expect(PostgresConnection.isPreparable("insert into t values ($1)"))
        for sql in ["BEGIN", "COMMIT", "ROLLBACK", "LISTEN scanrelay_events", "SET x = 1", "BEGIN ISOLATION LEVEL REPEATABLE READ"] {
            #expect(!PostgresConnection.isPreparable(sql), "\(sql)")
        }
        let connection = try await connection()
        try connection.execute("BEGIN")
        try connection.execute("COMMIT")
        #expect(try preparedCount(connection, matching: "BEGIN") == 0)
    }

    @Test func aStatementFirstPreparedInATransactionThatRolledBack_StillRuns() async throws {
        let connection = try await connection()
        let sql = "SELECT $1::text || '!' AS shout"
        try connection.execute("BEGIN")
        #expect(try connection.execute(sql, [PostgresValue("a")]).single("shout").string(0) == "a!")
        try connection.execute("ROLLBACK")
        #expect(try connection.execute(sql, [PostgresValue("b")]).single("shout").string(0) == "b!")
    }

    @Test func aStatementTheServerRefuses_ThrowsItsOwnError_AndLeavesNothingPrepared() async throws {
        let connection = try await connection()
        let sql = "SELECT missing_column FROM pg_class WHERE oid = $1"
        #expect {
            try connection.execute(sql, [PostgresValue(1)])
        } throws: { error in
            (error as? PostgresError)?.sqlState == "42703"
        }
        #expect(try preparedCount(connection, matching: sql) == 0)
    }

    /// A pooler that resets sessions (`DISCARD ALL`) takes the prepared statements with it: the call that finds one
    /// gone fails once (SQLSTATE 26000), and the next prepares it again.
    @Test func preparedStatementsDiscardedUnderneath_ArePreparedAgain() async throws {
        let connection = try await connection()
        let sql = "SELECT $1::int + 1 AS next"
        #expect(try connection.execute(sql, [PostgresValue(1)]).single("next").int64(0) == 2)
        try connection.executeScript("DISCARD ALL")
        #expect {
            try connection.execute(sql, [PostgresValue(2)])
        } throws: { error in
            (error as? PostgresError)?.sqlState == "26000"
        }
        #expect(try connection.execute(sql, [PostgresValue(3)]).single("next").int64(0) == 4)
    }

    @Test func pipelinedStatementsArePrepared_AndRunInOrder() async throws {
        let connection = try await connection()
        let first = "SELECT $1::int AS n", second = "SELECT $1::int + 100 AS n"
        for round in 0..<2 {
            let results = try connection.executePipelined([(first, [PostgresValue(round)]), (second, [PostgresValue(round)])])
            #expect(try results[0].single("n").int64(0) == Int64(round))
            #expect(try results[1].single("n").int64(0) == Int64(round + 100))
        }
        #expect(try preparedCount(connection, matching: first) == 1)
        #expect(try preparedCount(connection, matching: second) == 1)
    }
}
