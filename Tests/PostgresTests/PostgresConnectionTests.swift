import Foundation
import Postgres
import Testing
import ThrowawayPostgres

@Suite struct PostgresConnectionTests {
    @Test func aRefusedPortFailsAsConnectionFailed_WithoutThePassword() throws {
        let settings = try ConnectionSettings("host=127.0.0.1 port=1 user=scanrelay password=hunter2-secret dbname=x")
        #expect {
            try PostgresConnection(settings)
        } throws: { error in
            guard let error = error as? PostgresError else { return false }
            return error.kind == .connectionFailed && error.isRetryable && !error.description.contains("hunter2")
                && error.message.contains("127.0.0.1")
        }
    }

    @Test func aConnectionStringLibpqCannotReadIsRefused_WithoutRepeatingIt() {
        #expect {
            try ConnectionSettings("host=localhost password=hunter2-secret nonsense_option=1")
        } throws: { error in
            guard let error = error as? PostgresError else { return false }
            return error.kind == .connectionFailed && !error.message.contains("hunter2")
        }
    }

    @Test func keepalivesAndTimeoutsAreAdded_UnlessTheStringSetsThem() throws {
        let plain = try ConnectionSettings("postgresql://scanrelay@db.example:5433/scans")
        let given = try ConnectionSettings("host=db keepalives_idle=30 connect_timeout=2")
        #expect(plain.value(for: "keepalives") == "1")
        #expect(plain.value(for: "tcp_user_timeout") == "10000")
        #expect(plain.value(for: "connect_timeout") == "5")
        #expect(plain.value(for: "host") == "db.example")
        #expect(plain.value(for: "port") == "5433")
        #expect(given.value(for: "keepalives_idle") == "30")
        #expect(given.value(for: "connect_timeout") == "2")
    }

    @Test func badSQLIsSQLState42601() async throws {
        let connection = try PostgresConnection(ConnectionSettings(try await ThrowawayPostgres.freshDatabase()))
        #expect {
            try connection.execute("SELEC 1")
        } throws: { error in
            (error as? PostgresError)?.sqlState == "42601" && (error as? PostgresError)?.kind == .other
        }
        // The connection stays usable after a statement error.
        #expect(try connection.execute("SELECT 1").single("one").int64(0) == 1)
    }

    /// Arrays travel as one parameter each (a batch of events in one statement): every byte value, quotes,
    /// backslashes and braces come back as they went.
    @Test func byteaAndTextArraysRoundTrip() async throws {
        let connection = try PostgresConnection(ConnectionSettings(try await ThrowawayPostgres.freshDatabase()))
        let blobs: [[UInt8]] = [Array(0...255), [], Array(#"{"a":"\\","b":[1,2]}"#.utf8), [0x5C, 0x22, 0x7B, 0x7D, 0x2C]]
        let texts = [#"scan.completed"#, #"with "quotes", \backslash\ and {braces}"#, "", "é ✓"]
        let rows = try connection.execute(
            "SELECT blob, text FROM unnest($1::bytea[], $2::text[]) WITH ORDINALITY AS t(blob, text, n) ORDER BY n",
            [PostgresValue(byteaArray: blobs), PostgresValue(textArray: texts)]
        ).rows
        #expect(try rows.map { try $0.bytes(0) } == blobs)
        #expect(try rows.map { try $0.string(1) } == texts)
    }

    @Test func uniqueViolationAndStatementTimeoutAreMapped() async throws {
        let settings = try ConnectionSettings(try await ThrowawayPostgres.freshDatabase())
        let connection = try PostgresConnection(settings, session: .init(statementTimeout: .milliseconds(200)))
        try connection.execute("CREATE TABLE t (k text PRIMARY KEY)")
        try connection.execute("INSERT INTO t VALUES ($1)", ["a"])
        #expect {
            try connection.execute("INSERT INTO t VALUES ($1)", ["a"])
        } throws: { error in
            (error as? PostgresError)?.kind == .uniqueViolation && (error as? PostgresError)?.sqlState == "23505"
        }
        #expect {
            try connection.execute("SELECT pg_sleep(5)")
        } throws: { error in
            (error as? PostgresError)?.kind == .timeout && (error as? PostgresError)?.sqlState == "57014"
        }
    }

    @Test func valuesRoundTripExactly() async throws {
        let connection = try PostgresConnection(ConnectionSettings(try await ThrowawayPostgres.freshDatabase()))
        let bytes: [UInt8] = Array(0...255) + [0, 0, 255]
        let time = Date(timeIntervalSinceReferenceDate: 818_000_000.123_456_789_1)
        let row = try connection.execute(
            "SELECT $1::bytea, $2::float8, $3::text, $4::bigint, $5::bool, $6::text IS NULL, $7::interval = interval '1.5 seconds'",
            [PostgresValue(bytes: bytes), PostgresValue(time.timeIntervalSinceReferenceDate), "naïve — ✓ 'quoted' \\ back", PostgresValue(Int64.min),
             PostgresValue(true), nil, PostgresValue(interval: .milliseconds(1500))]
        ).single("values")
        #expect(try row.bytes(0) == bytes)
        #expect(try row.double(1).bitPattern == time.timeIntervalSinceReferenceDate.bitPattern)
        #expect(try row.string(2) == "naïve — ✓ 'quoted' \\ back")
        #expect(try row.int64(3) == Int64.min)
        #expect(try row.bool(4))
        #expect(try row.bool(5))
        #expect(try row.bool(6))
    }

    /// `bytea` parameters travel in binary format beside text ones, in one statement and in a pipeline: NUL bytes,
    /// the empty value and a NULL between them keep their places.
    @Test func binaryByteaParametersRoundTripBesideText() async throws {
        let connection = try PostgresConnection(ConnectionSettings(try await ThrowawayPostgres.freshDatabase()))
        let blobs: [[UInt8]] = [[0, 0, 1, 0], [], Array(repeating: 0xFF, count: 70_000)]
        let parameters: [PostgresValue?] = [
            PostgresValue(bytes: blobs[0]), "é ✓", nil, PostgresValue(bytes: blobs[1]), PostgresValue(bytes: blobs[2]), PostgresValue(42),
        ]
        #expect(parameters.compactMap { $0?.isBinary } == [true, false, true, true, false])
        let sql = "SELECT $1::bytea, $2::text, $3::bytea IS NULL, $4::bytea, length($5::bytea), $6::int + 1"
        let single = try connection.execute(sql, parameters).single("values")
        let piped = try connection.executePipelined([(sql, parameters), ("SELECT $1::bytea", [PostgresValue(bytes: blobs[2])])])
        for row in [single, try piped[0].single("values")] {
            #expect(try row.bytes(0) == blobs[0])
            #expect(try row.string(1) == "é ✓")
            #expect(try row.bool(2))
            #expect(try row.bytes(3) == [])
            #expect(try row.int64(4) == 70_000)
            #expect(try row.int64(5) == 43)
        }
        #expect(try piped[1].single("blob").bytes(0) == blobs[2])
        #expect(PostgresValue(bytes: [0, 0xAB]).text == #"\x00ab"#)
    }

    @Test func aFailedTransactionRollsBackEverything() async throws {
        let connection = try PostgresConnection(ConnectionSettings(try await ThrowawayPostgres.freshDatabase()))
        try connection.execute("CREATE TABLE t (k text PRIMARY KEY)")
        struct Abandon: Error {}
        #expect(throws: Abandon.self) {
            try connection.transaction { connection in
                try connection.execute("INSERT INTO t VALUES ('written')")
                throw Abandon()
            }
        }
        #expect(connection.isIdle)
        #expect(try connection.execute("SELECT count(*) FROM t").single("count").int64(0) == 0)
        try connection.transaction { try $0.execute("INSERT INTO t VALUES ('kept')") }
        #expect(try connection.execute("SELECT k FROM t").single("k").string(0) == "kept")
    }

    @Test func pipelinedStatementsRunInOneRoundTrip_InOrder_AndStopAtTheFirstFailure() async throws {
        let connection = try PostgresConnection(ConnectionSettings(try await ThrowawayPostgres.freshDatabase()))
        try connection.execute("CREATE TABLE t (k text PRIMARY KEY)")
        let results = try connection.executePipelined([
            ("INSERT INTO t VALUES ($1) RETURNING k", [PostgresValue("a")]),
            ("SELECT count(*) FROM t", []),
            ("SELECT $1::int + 1", [PostgresValue(41)]),
        ])
        #expect(try results.map { try $0.single("row").string(0) } == ["a", "1", "42"])

        // The second fails (a duplicate key): the third never runs, and outside a transaction the pipeline is one
        // implicit transaction, so the first is rolled back too. The connection is usable at once.
        #expect {
            try connection.executePipelined([
                ("INSERT INTO t VALUES ('b')", []), ("INSERT INTO t VALUES ('a')", []), ("INSERT INTO t VALUES ('c')", []),
            ])
        } throws: { error in (error as? PostgresError)?.kind == .uniqueViolation }
        #expect(connection.isIdle)
        #expect(try connection.execute("SELECT string_agg(k, ',' ORDER BY k) FROM t").single("keys").string(0) == "a")
    }

    @Test func aTransactionCanBeginWithItsFirstStatement_AndCommitWithItsLast() async throws {
        let connection = try PostgresConnection(ConnectionSettings(try await ThrowawayPostgres.freshDatabase()))
        try connection.execute("CREATE TABLE t (k text PRIMARY KEY, n int)")
        let kept = try connection.transaction(first: ("INSERT INTO t VALUES ('x', 1) RETURNING n", [])) { rows, connection in
            let n = try rows.single("n").int64(0)
            return try connection.executeAndCommit("INSERT INTO t VALUES ($1, $2) RETURNING k", [PostgresValue("y"), PostgresValue(n + 1)])
                .single("k").string(0)
        }
        #expect(kept == "y" && connection.isIdle)

        // The last statement fails: its COMMIT never happens and the first statement's row is rolled back with it.
        #expect {
            try connection.transaction(first: ("INSERT INTO t VALUES ('z', 3)", [])) { _, connection in
                try connection.executeAndCommit("INSERT INTO t VALUES ('x', 4)")
            }
        } throws: { error in (error as? PostgresError)?.kind == .uniqueViolation }
        #expect(connection.isIdle)
        #expect(try connection.execute("SELECT string_agg(k, ',' ORDER BY k) FROM t").single("keys").string(0) == "x,y")

        // A body that does not end with executeAndCommit is committed as usual.
        try connection.transaction(first: ("INSERT INTO t VALUES ('w', 0)", [])) { _, _ in }
        #expect(try connection.execute("SELECT count(*) FROM t").single("count").int64(0) == 3)
    }
}
