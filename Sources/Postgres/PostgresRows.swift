import Foundation

/// The rows a statement returned, every value as PostgreSQL's text form (nil: NULL), and how many rows it changed.
public struct PostgresRows: Sendable, Hashable {
    public let columns: [String]
    public let rows: [PostgresRow]
    /// `PQcmdTuples`: rows inserted, updated or deleted (for a SELECT, rows returned).
    public let affectedRows: Int

    public init(columns: [String], rows: [PostgresRow], affectedRows: Int) {
        self.columns = columns
        self.rows = rows
        self.affectedRows = affectedRows
    }

    /// The only row, or an error naming the statement's purpose when there is none.
    public func single(_ what: String) throws(PostgresError) -> PostgresRow {
        guard let row = rows.first else { throw PostgresError(.unexpectedResult, message: "no row returned for \(what)") }
        return row
    }
}

/// One row; the typed accessors throw ``PostgresError/Kind/unexpectedResult`` for a value that is not what the
/// caller's SQL promised.
public struct PostgresRow: Sendable, Hashable {
    public let values: [String?]

    public init(values: [String?]) { self.values = values }

    public func isNull(_ column: Int) -> Bool { column >= values.count || values[column] == nil }

    public func string(_ column: Int) throws(PostgresError) -> String {
        guard column < values.count, let value = values[column] else { throw missing(column) }
        return value
    }

    public func optionalString(_ column: Int) -> String? { column < values.count ? values[column] : nil }

    public func int64(_ column: Int) throws(PostgresError) -> Int64 {
        let text = try string(column)
        guard let value = Int64(text) else { throw malformed(column, "an integer") }
        return value
    }

    public func double(_ column: Int) throws(PostgresError) -> Double {
        guard let value = try optionalDouble(column) else { throw missing(column) }
        return value
    }

    public func optionalDouble(_ column: Int) throws(PostgresError) -> Double? {
        guard let text = optionalString(column) else { return nil }
        switch text {
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default:
            guard let value = Double(text) else { throw malformed(column, "a number") }
            return value
        }
    }

    public func bool(_ column: Int) throws(PostgresError) -> Bool {
        switch try string(column) {
        case "t": return true
        case "f": return false
        default: throw malformed(column, "a boolean")
        }
    }

    /// A `bytea` in hex output form (`\x…`, the server default since 9.0).
    public func bytes(_ column: Int) throws(PostgresError) -> [UInt8] {
        let text = try string(column)
        let utf8 = Array(text.utf8)
        guard utf8.count >= 2, utf8[0] == UInt8(ascii: "\\"), utf8[1] == UInt8(ascii: "x"), utf8.count % 2 == 0 else {
            throw malformed(column, "bytea in hex form")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2 - 1)
        var index = 2
        while index < utf8.count {
            guard let high = Self.nibble(utf8[index]), let low = Self.nibble(utf8[index + 1]) else {
                throw malformed(column, "bytea in hex form")
            }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    /// A time selected as `extract(epoch from …)` (seconds since 1970, microseconds exact).
    public func epochDate(_ column: Int) throws(PostgresError) -> Date {
        Date(timeIntervalSince1970: try double(column))
    }

    public func optionalEpochDate(_ column: Int) throws(PostgresError) -> Date? {
        try optionalDouble(column).map(Date.init(timeIntervalSince1970:))
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private func missing(_ column: Int) -> PostgresError {
        PostgresError(.unexpectedResult, message: "column \(column) is missing or NULL")
    }

    private func malformed(_ column: Int, _ expected: String) -> PostgresError {
        PostgresError(.unexpectedResult, message: "column \(column) is not \(expected)")
    }
}
