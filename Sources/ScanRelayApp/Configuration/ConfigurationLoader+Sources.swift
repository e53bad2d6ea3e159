import Foundation
import ScanCore
import Yams

/// Reader of `sources`: names, providers, upstream URLs and credentials.
extension ConfigurationLoader {
    /// Names become URL path segments and scan id prefixes (`<source>:<id>`), hence the narrow alphabet.
    static let sourceNamePattern = "letters, digits, '.', '_' or '-' (at most 64), such as binarly-prod"

    func readSources(_ nodes: [Node], reader: ConfigurationReader) -> [SourceConfiguration] {
        var sources: [SourceConfiguration] = []
        var firstLineOfName: [String: Int] = [:]
        for (index, node) in nodes.enumerated() {
            guard let entry = reader.mapping(node, path: "sources[\(index)]") else { continue }
            let name = readSourceName(entry)
            if let name {
                if let line = firstLineOfName[name] {
                    entry.report("\"\(name)\" is already the name of the source on line \(line); names must be unique", key: "name")
                } else {
                    firstLineOfName[name] = entry.value("name")?.mark?.line ?? 0
                }
            }
            let provider = entry.choice("provider", of: Provider.self)
            if !entry.contains("provider") {
                entry.reportMissing("provider", "one of \(Provider.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let upstream = entry.mapping("upstream").flatMap { readUpstream($0) }
            if let provider, upstream != nil, !provider.polls {
                entry.report("provider \(provider.rawValue) is not polled (webhooks only); remove upstream", key: "upstream")
            }
            let webhook = entry.mapping("webhook").flatMap { readWebhook($0) }
            if !entry.contains("webhook") {
                entry.reportMissing("webhook", "give webhook: { verify: standard-webhooks, secret: ... } (or verify: none explicitly)")
            }
            entry.finish()
            if let name, let provider, let webhook {
                sources.append(SourceConfiguration(name: name, provider: provider, upstream: upstream, webhook: webhook))
            }
        }
        return sources
    }

    private func readSourceName(_ entry: ConfigMapping) -> String? {
        guard let name = entry.string("name", required: "give a name used in /v1/webhooks/{name} and scan ids") else {
            return nil
        }
        let allowed = name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)
        }
        guard allowed, (1...64).contains(name.count) else {
            entry.report("\"\(name)\" is not a valid name; use \(Self.sourceNamePattern)", key: "name")
            return nil
        }
        return name
    }

    private func readUpstream(_ section: ConfigMapping) -> UpstreamSettings? {
        let baseURL = readHTTPURL(section, key: "baseURL", required: "give the scanner API's base URL, e.g. https://scanner.example.com")
        var auth = UpstreamAuth.none
        if let node = section.value("auth") {
            if let text = node.scalar?.string, text == "none" {
                auth = .none
            } else if let mapping = section.reader.mapping(node, path: section.childPath("auth")) {
                guard let parsed = readAuth(mapping) else { section.finish(); return nil }
                auth = parsed
            }
        }
        let tls = section.mapping("tls").map(readUpstreamTLS) ?? UpstreamTLSSettings()
        let proxy = readUpstreamProxy(section)
        section.finish()
        guard let tls, let proxy else { return nil }
        return baseURL.map { UpstreamSettings(baseURL: $0, auth: auth, tls: tls, proxy: proxy) }
    }

    /// Exactly one of `bearer`, `header` + `value`, `oauth2` or `basic`.
    private func readAuth(_ section: ConfigMapping) -> UpstreamAuth? {
        let kinds = ["bearer", "header", "oauth2", "basic"].filter { section.contains($0) || section.contains($0 + "File") }
        let choices = "bearer: TOKEN, header: NAME with value: VALUE, oauth2: { tokenURL, clientID, clientSecret, audience }, "
            + "or basic: { username, password }"
        defer { section.finish() }
        guard kinds.count == 1 else {
            // Mark the credential keys as known, so only real typos are reported besides this problem.
            for key in ["bearer", "bearerFile", "header", "value", "valueFile", "oauth2", "basic"] { _ = section.value(key) }
            let found = kinds.isEmpty ? "no credentials" : kinds.joined(separator: " and ")
            section.reader.report("has \(found); give exactly one of \(choices)", at: section.path, line: section.line)
            return nil
        }
        switch kinds[0] {
        case "bearer":
            return section.string("bearer").flatMap { nonEmpty($0, section, "bearer") }.map(UpstreamAuth.bearer)
        case "header":
            let name = section.string("header")
            let value = section.string("value", required: "give the header's value, e.g. \"Bearer ${TOKEN}\"")
            if let name, !HeaderName.isValid(name) {
                section.report("\"\(section.shown(name, of: "header"))\" is not a header name; use letters, digits and '-'", key: "header")
                return nil
            }
            guard let name, let value = value.flatMap({ nonEmpty($0, section, "value") }) else { return nil }
            return .header(name: name, value: value)
        case "basic":
            return section.mapping("basic").flatMap(readBasic)
        default:
            return section.mapping("oauth2").flatMap(readOAuth2).map(UpstreamAuth.oauth2)
        }
    }

    /// `basic: { username, password | passwordFile }`. The username may not hold `:` (RFC 7617 splits there); a
    /// Harbor robot's full name, `robot$project+name`, is fine.
    private func readBasic(_ section: ConfigMapping) -> UpstreamAuth? {
        let username = section.string("username", required: "give the account name, e.g. a Harbor robot's full name robot$project+scanrelay")
        let password = section.string("password", required: "give the account's password or secret (password or passwordFile)")
        section.finish()
        if let username, username.contains(":") {
            section.report("contains ':', which Basic authentication cannot carry in a user name", key: "username")
            return nil
        }
        guard let username = username.flatMap({ nonEmpty($0, section, "username") }),
              let password = password.flatMap({ nonEmpty($0, section, "password") })
        else { return nil }
        return .basic(username: username, password: password)
    }

    private func readOAuth2(_ section: ConfigMapping) -> OAuth2Settings? {
        let tokenURL = readHTTPURL(section, key: "tokenURL", required: "give the OAuth2 token endpoint URL")
        let clientID = section.string("clientID", required: "give the OAuth2 client id")
        let clientSecret = section.string("clientSecret", required: "give the OAuth2 client secret (clientSecret or clientSecretFile)")
        let audience = section.string("audience")
        section.finish()
        guard let tokenURL, let clientID = clientID.flatMap({ nonEmpty($0, section, "clientID") }),
              let clientSecret = clientSecret.flatMap({ nonEmpty($0, section, "clientSecret") })
        else { return nil }
        return OAuth2Settings(tokenURL: tokenURL, clientID: clientID, clientSecret: clientSecret, audience: audience)
    }

    /// An absolute `http` or `https` URL with a host and without query or fragment (paths are appended to it).
    func readHTTPURL(_ section: ConfigMapping, key: String, required hint: String) -> URL? {
        guard let text = section.string(key, required: hint) else { return nil }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
              components.query == nil, components.fragment == nil, let url = components.url
        else {
            section.report("\"\(section.shown(text, of: key))\" is not an absolute http or https URL without query, such as https://scanner.example.com", key: key)
            return nil
        }
        return url
    }

    func nonEmpty(_ value: String, _ section: ConfigMapping, _ key: String) -> String? {
        guard value.isEmpty else { return value }
        section.report("is empty; an empty credential would never be accepted", key: key)
        return nil
    }
}

extension Provider {
    /// Providers whose REST API ScanRelay polls; the others only send webhooks.
    var polls: Bool {
        switch self {
        case .binarly, .yandex, .opsmx, .harbor: true
        case .scanrelay: false
        }
    }
}

/// RFC 9110 field names: a token.
enum HeaderName {
    static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "!#$%&'*+-.^_`|~".unicodeScalars.contains($0))
        }
    }
}
