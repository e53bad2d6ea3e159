import CLibPQ
import Foundation

/// One libpq connection, blocking: every call waits for the server. Used by one thread at a time — the pool's and the
/// listener's own threads, never a Swift concurrency thread or an event loop (connecting resolves names
/// synchronously, and every query blocks).
public final class PostgresConnection {
    /// What every session runs with, set at connect and again after a reset.
    public struct SessionOptions: Sendable, Hashable {
        /// `statement_timeout`: no statement runs longer (SQLSTATE 57014, ``PostgresError/Kind/timeout``). Nil: the
        /// server's setting.
        public var statementTimeout: Duration?
        /// `idle_in_transaction_session_timeout`: the server ends a session that sits in an open transaction this
        /// long (a client paused mid-transaction would otherwise hold its row locks, and every writer behind them,
        /// for as long as it stays paused). Nil: the server's setting.
        public var idleInTransactionTimeout: Duration?

        public init(statementTimeout: Duration? = .seconds(30), idleInTransactionTimeout: Duration? = .seconds(60)) {
            self.statementTimeout = statementTimeout
            self.idleInTransactionTimeout = idleInTransactionTimeout
        }
    }

    private let handle: OpaquePointer
    private let settings: ConnectionSettings
    private let session: SessionOptions
    /// Set by ``executeAndCommit(_:_:)`` inside ``transaction(begin:first:_:)``'s body: the COMMIT has been sent.
    private var committedByBody = false
    /// The statements this session has prepared, by SQL text: the server parses and plans each once per session
    /// instead of on every call. Planning was a third of the database's time per webhook delivery (issue 19's
    /// profile: 330 µs of planning against 265 µs of execution for the four statements of one delivery).
    private var preparedNames: [String: String] = [:]
    private var preparedCount = 0
    /// Bounds the statements kept prepared: the service's SQL is a fixed set (lists vary by filter, within it);
    /// beyond the bound a statement is sent as text, as it always was.
    static let maxPreparedStatements = 256

    /// Connects and applies `session`. Throws ``PostgresError/Kind/connectionFailed`` (within `connect_timeout`).
    public init(_ settings: ConnectionSettings, session: SessionOptions = SessionOptions()) throws(PostgresError) {
        self.settings = settings
        self.session = session
        let keywords = settings.parameters.map { strdup($0.keyword) } + [nil]
        let values = settings.parameters.map { strdup($0.value) } + [nil]
        defer {
            for pointer in keywords { free(pointer) }
            for pointer in values { free(pointer) }
        }
        let connection = keywords.map { UnsafePointer($0) }.withUnsafeBufferPointer { keywordPointers in
            values.map { UnsafePointer($0) }.withUnsafeBufferPointer { valuePointers in
                PQconnectdbParams(keywordPointers.baseAddress, valuePointers.baseAddress, 0)
            }
        }
        guard let connection else { throw PostgresError(.connectionFailed, message: "libpq could not allocate a connection") }
        handle = connection
        // libpq prints notices and errors that arrive outside a query (the server's last words before it ends a
        // session: "FATAL: terminating connection due to administrator command") raw to standard error, where they
        // would interleave with the structured log. Dropped here: what they mean surfaces as the next call's error,
        // which the caller logs in its own words.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        // From here on a throw runs deinit (every property is set), which finishes the handle.
        guard PQstatus(handle) == CONNECTION_OK else {
            throw PostgresError(.connectionFailed, message: lastMessage)
        }
        try applySession()
    }

    deinit { PQfinish(handle) }

    /// Connected and not inside a transaction: fit to hand to the next user.
    public var isIdle: Bool { PQstatus(handle) == CONNECTION_OK && PQtransactionStatus(handle) == PQTRANS_IDLE }

    /// Idle, and nothing says the server went away meanwhile. A server that ends a session (shutdown, restart,
    /// `pg_terminate_backend`) sends a last error and closes; a pooled session, which LISTENs to nothing, has no other
    /// reason to receive bytes while idle. So an idle connection with something to read is taken for ended (at worst a
    /// stray notice costs one reconnect). One non-blocking poll(). A connection cut without a word (a dead network)
    /// passes, and is found by its next query within the keepalive time.
    var isUsable: Bool {
        guard isIdle, PQpipelineStatus(handle) == PQ_PIPELINE_OFF else { return false }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) == 0
    }

    /// Whether the connection is still up (as far as libpq last saw).
    public var isConnected: Bool { PQstatus(handle) == CONNECTION_OK }

    /// The server process serving this connection (`pg_backend_pid()`).
    public var backendPID: Int32 { PQbackendPID(handle) }

    /// The socket, for waiting on notifications with poll().
    var socket: Int32 { PQsocket(handle) }

    /// Runs `sql` with `parameters` (`$1`, `$2`…) and returns its rows. One statement per call; a query
    /// or data change is prepared on its first call in this session and executed prepared from then on.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [PostgresValue?] = []) throws(PostgresError) -> PostgresRows {
        let name = try prepared(sql, parameterCount: parameters.count)
        let result = Self.withLibpqParameters(parameters) { count, values, lengths, formats in
            if let name {
                PQexecPrepared(handle, name, count, values, lengths, formats, 0)
            } else {
                PQexecParams(handle, sql, count, nil, values, lengths, formats, 0)
            }
        }
        defer { PQclear(result) }
        return try rows(of: result)
    }

    /// `parameters` as libpq's four arguments — count, values, lengths, formats — valid inside `body` only: every
    /// value in one buffer, text NUL-terminated (libpq reads text as C strings and ignores its length), binary with
    /// its length.
    private static func withLibpqParameters<Result>(
        _ parameters: [PostgresValue?],
        _ body: (Int32, UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?) -> Result
    ) -> Result {
        var storage: [UInt8] = []
        var offsets: [Int?] = []
        var lengths: [Int32] = []
        var formats: [Int32] = []
        storage.reserveCapacity(parameters.reduce(0) { $0 + ($1?.bytes.count ?? 0) + 1 })
        for parameter in parameters {
            guard let parameter else {
                offsets.append(nil)
                lengths.append(0)
                formats.append(0)
                continue
            }
            offsets.append(storage.count)
            storage.append(contentsOf: parameter.bytes)
            if !parameter.isBinary { storage.append(0) }
            lengths.append(Int32(parameter.bytes.count))
            formats.append(parameter.isBinary ? 1 : 0)
        }
        storage.append(0)   // never empty, so the buffer has an address
        return storage.withUnsafeBytes { buffer in
            let values = offsets.map { offset in
                offset.map { UnsafePointer(buffer.baseAddress!.advanced(by: $0).assumingMemoryBound(to: CChar.self)) }
            }
            return values.withUnsafeBufferPointer { values in
                lengths.withUnsafeBufferPointer { lengths in
                    formats.withUnsafeBufferPointer { formats in
                        body(Int32(parameters.count), values.baseAddress, lengths.baseAddress, formats.baseAddress)
                    }
                }
            }
        }
    }

    /// The name `sql` is prepared under in this session, preparing it now (one round trip, once) when it is a query
    /// or data change seen for the first time; nil to send it as text (transaction control, `LISTEN`, past the
    /// bound, or inside a pipeline, where nothing can be prepared). A statement the server refuses to prepare throws
    /// what its execution would have thrown: preparing parses and analyses it as executing does.
    private func prepared(_ sql: String, parameterCount: Int) throws(PostgresError) -> String? {
        if let name = preparedNames[sql] { return name }
        guard preparedNames.count < Self.maxPreparedStatements, Self.isPreparable(sql),
            PQpipelineStatus(handle) == PQ_PIPELINE_OFF
        else { return nil }
        preparedCount += 1
        let name = "scanrelay_\(preparedCount)"
        let result = PQprepare(handle, name, sql, Int32(parameterCount), nil)
        defer { PQclear(result) }
        _ = try rows(of: result)
        preparedNames[sql] = name
        return name
    }

    /// Queries and data changes: what planning costs for. Transaction control and utility statements run as text.
    static func isPreparable(_ sql: String) -> Bool {
        let keyword = sql.drop { $0 == " " || $0 == "\n" || $0 == "\t" }.prefix { $0.isLetter }.uppercased()
        return ["SELECT", "WITH", "INSERT", "UPDATE", "DELETE"].contains(keyword)
    }

    /// Runs `statements` in one round trip (libpq's pipeline mode: all sent, then one sync) and returns their rows in
    /// order. The first that fails is thrown, and the ones after it did not run; inside a transaction the transaction
    /// is then aborted, as after any failed statement, and outside one the pipeline is a transaction of its own (the
    /// server runs everything up to the sync as one), so the statements before the failure are rolled back too. For statements whose parameters do not depend on each other's
    /// results: `BEGIN` with a transaction's first statement, its last statement with `COMMIT`.
    public func executePipelined(_ statements: [(sql: String, parameters: [PostgresValue?])]) throws(PostgresError) -> [PostgresRows] {
        // Prepared before the pipeline starts (a first sighting costs a round trip of its own, once per session).
        var names: [String?] = []
        for statement in statements { names.append(try prepared(statement.sql, parameterCount: statement.parameters.count)) }
        guard PQenterPipelineMode(handle) == 1 else { throw PostgresError(.other, message: lastMessage) }
        var sendFailure: PostgresError?
        for (statement, name) in zip(statements, names) where sendFailure == nil {
            let sent = Self.withLibpqParameters(statement.parameters) { count, values, lengths, formats in
                if let name {
                    PQsendQueryPrepared(handle, name, count, values, lengths, formats, 0)
                } else {
                    PQsendQueryParams(handle, statement.sql, count, nil, values, lengths, formats, 0)
                }
            }
            if sent != 1 { sendFailure = PostgresError(isConnected ? .other : .connectionLost, message: lastMessage) }
        }
        if sendFailure == nil, PQpipelineSync(handle) != 1 {
            sendFailure = PostgresError(isConnected ? .other : .connectionLost, message: lastMessage)
        }
        // Every result is read, whatever failed, so that the connection leaves pipeline mode idle: each statement's
        // results end with a NULL, the sync with its own result (none when the connection broke).
        var results: [PostgresRows] = []
        var failure = sendFailure
        if sendFailure == nil {
            for _ in statements {
                while let result = PQgetResult(handle) {
                    defer { PQclear(result) }
                    if PQresultStatus(result) == PGRES_PIPELINE_ABORTED { continue }
                    do {
                        results.append(try rows(of: result))
                    } catch {
                        if failure == nil { failure = error }
                    }
                }
            }
            while let result = PQgetResult(handle) {
                let status = PQresultStatus(result)
                PQclear(result)
                if status == PGRES_PIPELINE_SYNC { break }
            }
        }
        if PQexitPipelineMode(handle) != 1, failure == nil {
            failure = PostgresError(isConnected ? .other : .connectionLost, message: lastMessage)
        }
        if let failure { throw failure }
        guard results.count == statements.count else {
            throw PostgresError(.unexpectedResult, message: "a pipeline returned \(results.count) results for \(statements.count) statements")
        }
        return results
    }

    /// Runs several `;`-separated statements without parameters (`PQexec`): a migration's script. Stops at the
    /// first failing statement; inside a transaction, nothing of it stays.
    public func executeScript(_ sql: String) throws(PostgresError) {
        let result = PQexec(handle, sql)
        defer { PQclear(result) }
        _ = try rows(of: result)
    }

    /// Runs `body` inside `begin` … COMMIT; any error rolls back and is rethrown. A failed COMMIT throws too (for a
    /// lost connection the outcome is then unknown to the client, as always with a COMMIT in flight). `begin` may set
    /// the isolation level: `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY` for reads that must agree.
    @discardableResult
    public func transaction<Result>(
        begin: String = "BEGIN", _ body: (PostgresConnection) throws -> Result
    ) throws -> Result {
        try execute(begin)
        let result: Result
        do {
            result = try body(self)
        } catch {
            if isConnected { _ = try? execute("ROLLBACK") }
            throw error
        }
        try execute("COMMIT")
        return result
    }

    /// ``transaction(begin:_:)`` with `begin` and the transaction's first statement in one round trip: `body` gets
    /// that statement's rows. A body that ends with ``executeAndCommit(_:_:)`` sends its last statement with the
    /// COMMIT, so a transaction of N statements costs N round trips instead of N + 2.
    @discardableResult
    public func transaction<Result>(
        begin: String = "BEGIN", first: (sql: String, parameters: [PostgresValue?]),
        _ body: (PostgresRows, PostgresConnection) throws -> Result
    ) throws -> Result {
        committedByBody = false
        let result: Result
        do {
            let rows = try executePipelined([(begin, []), first])[1]
            result = try body(rows, self)
        } catch {
            if isConnected, !committedByBody { _ = try? execute("ROLLBACK") }
            committedByBody = false
            throw error
        }
        if committedByBody {
            committedByBody = false
        } else {
            try execute("COMMIT")
        }
        return result
    }

    /// The last statement of a ``transaction(begin:first:_:)`` body, sent with the COMMIT in one round trip; its
    /// rows once both succeeded. When either fails the transaction is rolled back and the error thrown.
    public func executeAndCommit(_ sql: String, _ parameters: [PostgresValue?] = []) throws(PostgresError) -> PostgresRows {
        do {
            let rows = try executePipelined([(sql, parameters), ("COMMIT", [])])[0]
            committedByBody = true
            return rows
        } catch {
            // The statement or the COMMIT failed: an aborted transaction is still open until ROLLBACK.
            if isConnected { _ = try? execute("ROLLBACK") }
            committedByBody = true
            throw error
        }
    }

    /// Reconnects with the same settings (`PQreset`), then applies the session options again.
    public func reset() throws(PostgresError) {
        PQreset(handle)
        // A new session: nothing of the old one's is prepared.
        preparedNames.removeAll()
        guard PQstatus(handle) == CONNECTION_OK else {
            throw PostgresError(.connectionFailed, message: lastMessage)
        }
        try applySession()
    }

    /// Reads what the server sent without blocking (`PQconsumeInput`); throws when the connection is gone.
    func consumeInput() throws(PostgresError) {
        guard PQconsumeInput(handle) == 1 else {
            throw PostgresError(.connectionLost, message: lastMessage)
        }
    }

    /// The next notification already received, if any (`PQnotifies`).
    func nextNotification() -> PostgresNotification? {
        guard let notify = PQnotifies(handle) else { return nil }
        defer { PQfreemem(notify) }
        return PostgresNotification(
            channel: String(cString: notify.pointee.relname),
            payload: String(cString: notify.pointee.extra),
            senderPID: notify.pointee.be_pid
        )
    }

    private func applySession() throws(PostgresError) {
        if let timeout = session.statementTimeout {
            try execute("SELECT set_config('statement_timeout', $1, false)", [PostgresValue("\(Self.milliseconds(timeout))ms")])
        }
        if let timeout = session.idleInTransactionTimeout {
            try execute(
                "SELECT set_config('idle_in_transaction_session_timeout', $1, false)",
                [PostgresValue("\(Self.milliseconds(timeout))ms")])
        }
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return max(1, seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }

    private var lastMessage: String {
        settings.scrub(ConnectionSettings.firstLine(String(cString: PQerrorMessage(handle))))
    }

    private func rows(of result: OpaquePointer?) throws(PostgresError) -> PostgresRows {
        guard let result else {
            throw PostgresError(isConnected ? .other : .connectionLost, message: lastMessage)
        }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            let columnCount = Int(PQnfields(result))
            let rowCount = Int(PQntuples(result))
            let columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
            var rows: [PostgresRow] = []
            rows.reserveCapacity(rowCount)
            for row in 0..<Int32(rowCount) {
                rows.append(PostgresRow(values: (0..<Int32(columnCount)).map { column in
                    PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
                }))
            }
            return PostgresRows(columns: columns, rows: rows, affectedRows: Int(String(cString: PQcmdTuples(result))) ?? rowCount)
        default:
            let sqlState = PQresultErrorField(result, Self.diagSQLState).map { String(cString: $0) }
            let primary = PQresultErrorField(result, Self.diagMessagePrimary).map { String(cString: $0) }
            let message = settings.scrub(primary ?? ConnectionSettings.firstLine(String(cString: PQresultErrorMessage(result))))
            if !isConnected {
                throw PostgresError(.connectionLost, sqlState: sqlState, message: message.isEmpty ? lastMessage : message)
            }
            guard let sqlState else { throw PostgresError(.other, message: message) }
            // A prepared statement the server no longer has (a pooler in front discarded the session's state):
            // forget this session's, so the next calls prepare them again. Every statement's error passes here.
            if sqlState == "26000" { preparedNames.removeAll() }
            throw PostgresError(sqlState: sqlState, message: message)
        }
    }

    // PG_DIAG_SQLSTATE and PG_DIAG_MESSAGE_PRIMARY are character-literal macros Swift does not import.
    private static let diagSQLState = Int32(UInt8(ascii: "C"))
    private static let diagMessagePrimary = Int32(UInt8(ascii: "M"))
}

/// A NOTIFY received on a LISTENed channel.
public struct PostgresNotification: Sendable, Hashable {
    public let channel: String
    public let payload: String
    /// The server process that sent it.
    public let senderPID: Int32
}
