/// A failed PostgreSQL operation: what kind of failure, the SQLSTATE when the server sent one, and the server's or
/// libpq's message. The message never holds the connection string or its password (see ``ConnectionSettings``).
public struct PostgresError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// No connection could be made (refused, unknown host, authentication, timeout while connecting).
        case connectionFailed
        /// The connection broke during the operation (server gone, backend terminated, network dead): whether a
        /// transaction in flight committed is unknown only if COMMIT itself was what failed.
        case connectionLost
        /// 23505: a unique constraint refused the row.
        case uniqueViolation
        /// 40001: a serializable transaction lost; run it again.
        case serializationFailure
        /// 40P01: the server chose this transaction as a deadlock's victim; run it again.
        case deadlock
        /// 57014: `statement_timeout` or a cancel ended the query.
        case timeout
        /// No pooled connection became free within the pool's wait.
        case poolTimeout
        /// The pool or listener was closed.
        case closed
        /// A result did not have the shape the caller expected (a missing row or column, a value that does not parse).
        case unexpectedResult
        /// Anything else the server refused (syntax, constraint, permission…): `sqlState` says which.
        case other
    }

    public let kind: Kind
    /// The five-character SQLSTATE (`PG_DIAG_SQLSTATE`), when the server sent one.
    public let sqlState: String?
    public let message: String

    public init(_ kind: Kind, sqlState: String? = nil, message: String) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
    }

    /// The kind a SQLSTATE stands for; class 08 and the shutdown codes of class 57 mean the connection is gone.
    public init(sqlState: String, message: String) {
        let kind: Kind
        switch sqlState {
        case "23505": kind = .uniqueViolation
        case "40001": kind = .serializationFailure
        case "40P01": kind = .deadlock
        case "57014": kind = .timeout
        case "57P01", "57P02", "57P03": kind = .connectionLost
        case _ where sqlState.hasPrefix("08"): kind = .connectionLost
        default: kind = .other
        }
        self.init(kind, sqlState: sqlState, message: message)
    }

    /// Whether running the same work again (on a fresh connection for a lost one) may succeed.
    public var isRetryable: Bool {
        switch kind {
        case .connectionFailed, .connectionLost, .serializationFailure, .deadlock, .poolTimeout: true
        case .uniqueViolation, .timeout, .closed, .unexpectedResult, .other: false
        }
    }

    public var description: String {
        "PostgreSQL \(kind.rawValue)" + (sqlState.map { " (SQLSTATE \($0))" } ?? "") + ": " + message
    }
}
