import CLibPQ
import Foundation

/// A libpq connection string or URI, parsed once and completed with the settings every ScanRelay connection needs
/// unless the string sets them itself: TCP keepalives and a user timeout (a dead server or network is noticed in
/// seconds, not after the kernel's two hours), and a connect timeout (a connect never hangs).
public struct ConnectionSettings: Sendable {
    /// What libpq connects with: keyword and value pairs (`PQconnectdbParams`).
    let parameters: [(keyword: String, value: String)]
    /// Cut from every message before it leaves this module: libpq messages name hosts and users, never the password,
    /// but a message that quotes a parameter must not leak it either.
    let secrets: [String]

    public static let defaults: [(keyword: String, value: String)] = [
        ("keepalives", "1"), ("keepalives_idle", "5"), ("keepalives_interval", "2"), ("keepalives_count", "3"),
        ("tcp_user_timeout", "10000"), ("connect_timeout", "5"),
    ]

    /// Parses `connectionString` (`host=… dbname=…` or `postgresql://…`). Throws when libpq cannot read it; the error
    /// does not repeat the string.
    public init(_ connectionString: String, applicationName: String = "scanrelay") throws(PostgresError) {
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(connectionString, &errorMessage) else {
            let detail = errorMessage.map { String(cString: $0) } ?? "out of memory"
            if let errorMessage { PQfreemem(errorMessage) }
            // libpq's parse errors quote the offending option name, not the value; still scrubbed for safety.
            throw PostgresError(.connectionFailed, message: "the connection string is not valid: " + Self.firstLine(detail))
        }
        defer { PQconninfoFree(options) }
        var parameters: [(keyword: String, value: String)] = []
        var secrets: [String] = []
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val {
                let name = String(cString: keyword)
                let text = String(cString: value)
                parameters.append((name, text))
                if name == "password", !text.isEmpty { secrets.append(text) }
            }
            option += 1
        }
        for (keyword, value) in Self.defaults where !parameters.contains(where: { $0.keyword == keyword }) {
            parameters.append((keyword, value))
        }
        if !parameters.contains(where: { $0.keyword == "application_name" }) {
            parameters.append(("application_name", applicationName))
        }
        self.parameters = parameters
        self.secrets = secrets
    }

    /// The value libpq will connect with for `keyword` (given, or one of ours), or nil.
    public func value(for keyword: String) -> String? {
        parameters.last { $0.keyword == keyword }?.value
    }

    /// `message` with every secret replaced and only its first line kept (libpq adds hints on further lines).
    func scrub(_ message: String) -> String {
        var text = message
        for secret in secrets { text = text.replacingOccurrences(of: secret, with: "***") }
        return text
    }

    static func firstLine(_ text: String) -> String {
        String(text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: true).first ?? "")
            .trimmingCharacters(in: .whitespaces)
    }

}
