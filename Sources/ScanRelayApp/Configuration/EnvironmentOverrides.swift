import Foundation
import Logging

/// The `SCANRELAY_*` variables that override (or, for tokens, add to) top-level settings of the file.
struct EnvironmentOverrides {
    let environment: [String: String]

    /// Applies every variable that is set and non-empty; problems name the variable instead of a file line.
    func apply(to configuration: inout AppConfiguration, origin listenOrigin: inout ConfigurationProblem.Origin,
               reader: ConfigurationReader) {
        func report(_ variable: String, _ path: String, _ message: String) {
            reader.report(ConfigurationProblem(origin: .environment(variable), path: path, message: message))
        }
        if let text = value("SCANRELAY_LISTEN") {
            if let address = ListenAddress(parsing: text) {
                configuration.listen = address
                listenOrigin = .environment("SCANRELAY_LISTEN")
            } else {
                report("SCANRELAY_LISTEN", "listen", "\"\(text)\" is not HOST:PORT; write e.g. 0.0.0.0:8080 or [::1]:8080")
            }
        }
        if let text = value("SCANRELAY_LOG_LEVEL") {
            if let level = Logger.Level(rawValue: text.lowercased()) {
                configuration.logLevel = level
            } else {
                let levels = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
                report("SCANRELAY_LOG_LEVEL", "logLevel", "\"\(text)\" is not a level; use one of \(levels)")
            }
        }
        if let text = value("SCANRELAY_LOG_FORMAT") {
            if let format = LogFormat(rawValue: text.lowercased()) {
                configuration.logFormat = format
            } else {
                report("SCANRELAY_LOG_FORMAT", "logFormat", "\"\(text)\" is not a format; use text or json")
            }
        }
        if let text = value("SCANRELAY_ALLOW_ANONYMOUS") {
            switch text.lowercased() {
            case "true", "1", "yes": configuration.api.allowAnonymous = true
            case "false", "0", "no": configuration.api.allowAnonymous = false
            default: report("SCANRELAY_ALLOW_ANONYMOUS", "api.allowAnonymous", "\"\(text)\" is not a boolean; use true or false")
            }
        }
        if let text = value("SCANRELAY_API_TOKENS") {
            switch Self.parseTokens(text) {
            case .success(let tokens):
                for token in tokens where !configuration.api.tokens.contains(where: { $0.token == token.token }) {
                    configuration.api.tokens.append(token)
                }
            case .failure(let failure):
                report("SCANRELAY_API_TOKENS", "api.tokens", failure.message)
            }
        }
    }

    private func value(_ name: String) -> String? {
        environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    struct TokenListFailure: Error {
        var message: String
    }

    /// `token:scope[+scope],...`, e.g. `ci-secret:read+write,dash-secret:read`. The last `:` separates the scopes,
    /// so tokens may themselves contain colons. Messages give the entry's position, never the token.
    static func parseTokens(_ text: String) -> Result<[APIToken], TokenListFailure> {
        let format = "write token:scope[+scope],... with scopes read and write, e.g. s3cret:read+write"
        var tokens: [APIToken] = []
        for (index, entry) in text.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
            let entry = entry.trimmingCharacters(in: .whitespaces)
            guard let colon = entry.lastIndex(of: ":"), colon != entry.startIndex else {
                return .failure(TokenListFailure(message: "entry \(index + 1) has no token:scopes; \(format)"))
            }
            let token = String(entry[..<colon])
            let names = entry[entry.index(after: colon)...].split(separator: "+", omittingEmptySubsequences: false)
            let scopes = names.compactMap { APIToken.Scope(rawValue: String($0)) }
            guard !token.contains(where: \.isWhitespace), !names.isEmpty, scopes.count == names.count else {
                return .failure(TokenListFailure(message: "entry \(index + 1) is not valid; \(format)"))
            }
            tokens.append(APIToken(token: token, scopes: Set(scopes)))
        }
        return .success(tokens)
    }
}
