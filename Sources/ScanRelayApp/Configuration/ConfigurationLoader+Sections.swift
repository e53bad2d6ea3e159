/// Readers of the top-level sections other than `sources`. Each starts from the documented defaults and changes only
/// what the file sets, so a partial section keeps the rest of its defaults.
extension ConfigurationLoader {
    func readAPI(_ section: ConfigMapping) -> APIConfiguration {
        var api = APIConfiguration()
        if let allow = section.bool("allowAnonymous") { api.allowAnonymous = allow }
        if let items = section.sequence("tokens") {
            for (index, item) in items.enumerated() {
                guard let entry = section.reader.mapping(item, path: "\(section.childPath("tokens"))[\(index)]") else { continue }
                if let token = readAPIToken(entry) {
                    if api.tokens.contains(where: { $0.token == token.token }) {
                        entry.report("the same token is listed twice; give each token once with all its scopes", key: "token")
                    } else {
                        api.tokens.append(token)
                    }
                }
                entry.finish()
            }
        }
        section.finish()
        return api
    }

    private func readAPIToken(_ entry: ConfigMapping) -> APIToken? {
        let token = entry.string("token", required: "give the bearer token (token: \"${VAR}\" or tokenFile: /path)")
        if let token, token.isEmpty || token.contains(where: \.isWhitespace) {
            entry.report("must be non-empty without spaces", key: entry.contains("token") ? "token" : "tokenFile")
        }
        let scopes = readScopes(entry)
        guard let token, !token.isEmpty, !token.contains(where: \.isWhitespace), let scopes else { return nil }
        return APIToken(token: token, scopes: scopes)
    }

    private func readScopes(_ entry: ConfigMapping) -> Set<APIToken.Scope>? {
        let valid = "a list of read and/or write, such as [read] or [read, write]"
        guard let names = entry.strings("scopes") else {
            if !entry.contains("scopes") { entry.reportMissing("scopes", "give \(valid)") }
            return nil
        }
        let scopes = names.compactMap(APIToken.Scope.init(rawValue:))
        guard scopes.count == names.count, !scopes.isEmpty else {
            let unknown = names.filter { APIToken.Scope(rawValue: $0) == nil }.map { "\"\($0)\"" }
            let what = unknown.isEmpty ? "is empty" : "\(unknown.joined(separator: ", ")) is not a scope"
            entry.report("\(what); give \(valid)", key: "scopes")
            return nil
        }
        return Set(scopes)
    }

    func readLimits(_ section: ConfigMapping) -> LimitsConfiguration {
        var limits = LimitsConfiguration()
        if let value = section.size("maxBodyBytes") { limits.maxBodyBytes = value }
        if let value = section.size("maxHeaderBytes", atLeast: 1024) { limits.maxHeaderBytes = value }
        if let value = section.size("maxRequestLineBytes", atLeast: 256) { limits.maxRequestLineBytes = value }
        if let value = section.int("maxHeaderFields", in: 8...10_000) { limits.maxHeaderFields = value }
        if let value = section.int("maxConnections", in: 1...1_000_000) { limits.maxConnections = value }
        if let value = section.duration("headerTimeout") { limits.headerTimeout = value }
        if let value = section.duration("bodyTimeout") { limits.bodyTimeout = value }
        if let value = section.duration("idleTimeout") { limits.idleTimeout = value }
        if let value = section.duration("writeTimeout") { limits.writeTimeout = value }
        if let value = section.duration("shutdownGrace", atLeast: .zero) { limits.shutdownGrace = value }
        section.finish()
        return limits
    }

    func readCache(_ section: ConfigMapping) -> CacheConfiguration {
        var cache = CacheConfiguration()
        if let value = section.int("maxScans", in: 1...100_000_000) { cache.maxScans = value }
        if let value = section.duration("staleAfter", atLeast: .seconds(1)) { cache.staleAfter = value }
        if let value = section.int("eventRing", in: 1...10_000_000) { cache.eventRing = value }
        if let value = section.duration("ssePingInterval") { cache.ssePingInterval = value }
        if let value = section.int("maxSseSubscribers", in: 1...1_000_000) { cache.maxSseSubscribers = value }
        if let value = section.size("sseSubscriberBufferBytes", atLeast: 4096) { cache.sseSubscriberBufferBytes = value }
        if let value = section.int("maxLongPollWaiters", in: 1...1_000_000) { cache.maxLongPollWaiters = value }
        if let value = section.int("dedupeKeys", in: 1...100_000_000) { cache.dedupeKeys = value }
        if let value = section.duration("dedupeWindow") { cache.dedupeWindow = value }
        section.finish()
        return cache
    }

    func readState(_ section: ConfigMapping) -> StateConfiguration {
        var state = StateConfiguration()
        if let dir = section.string("dir") {
            if dir.isEmpty {
                section.report("is empty; give a directory path, or remove state for memory only", key: "dir")
            } else {
                state.dir = dir
            }
        }
        if let postgres = section.string("postgres") {
            if postgres.trimmingCharacters(in: .whitespaces).isEmpty {
                section.report("is empty; give a libpq connection string or URI, or remove it", key: "postgres")
            } else if state.dir != nil {
                section.report("cannot be used with state.dir: one replica journals to a directory, several replicas share PostgreSQL", key: "postgres")
            } else {
                state.postgres = postgres
            }
        }
        if let connections = section.int("postgresConnections", in: 1...100) { state.postgresConnections = connections }
        section.finish()
        return state
    }
}
