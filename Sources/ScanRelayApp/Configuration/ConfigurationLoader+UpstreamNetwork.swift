import Foundation

/// Readers of `upstream.tls` and `upstream.proxy`: how a source's upstream is reached.
extension ConfigurationLoader {
    /// PEM files are read by libcurl when it connects; here they are only checked, so a wrong path or a key given as
    /// the certificate fails `check-config` instead of the first poll.
    static let maxPEMFileBytes = 4 << 20

    static let proxySchemes = ["http", "https", "socks4", "socks4a", "socks5", "socks5h"]

    /// `caFile`, `certFile` + `keyFile`; nil (reported) when a file is missing, unreadable or not the PEM it should be.
    func readUpstreamTLS(_ section: ConfigMapping) -> UpstreamTLSSettings? {
        let caFile = pemPath(section, "caFile", holding: "-----BEGIN CERTIFICATE-----", what: "a PEM certificate (the CA)")
        let certFile = pemPath(section, "certFile", holding: "-----BEGIN CERTIFICATE-----", what: "a PEM certificate")
        let keyFile = pemPath(section, "keyFile", holding: "PRIVATE KEY-----", what: "a PEM private key")
        var complete = true
        if section.contains("certFile") != section.contains("keyFile") {
            let missing = section.contains("certFile") ? "keyFile" : "certFile"
            section.reportMissing(missing, "a client certificate needs both certFile and keyFile")
            complete = false
        }
        let written = ["caFile", "certFile", "keyFile"].filter(section.contains)
        let valid = [caFile, certFile, keyFile].compactMap { $0 }.count
        section.finish()
        guard complete, valid == written.count else { return nil }
        return UpstreamTLSSettings(caFile: caFile, certFile: certFile, keyFile: keyFile)
    }

    /// `proxy`: absent for the environment's proxy, `none`, or a proxy URL such as http://egress.internal:3128.
    func readUpstreamProxy(_ section: ConfigMapping) -> UpstreamProxySetting? {
        guard let node = section.value("proxy") else { return .environment }
        guard let text = section.reader.text(node, path: section.childPath("proxy")) else { return nil }
        if text == "none" { return UpstreamProxySetting.none }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              Self.proxySchemes.contains(scheme), let host = components.host, !host.isEmpty,
              components.path.isEmpty || components.path == "/", components.query == nil, components.fragment == nil,
              let url = components.url
        else {
            // A URL with credentials is not echoed: the password would end up in the problem's text.
            let shown = text.contains("@") ? "the value" : "\"\(section.shown(text, of: "proxy"))\""
            section.report(
                "\(shown) is not a proxy; give none or a URL such as http://egress.internal:3128 (schemes: \(Self.proxySchemes.joined(separator: ", ")))",
                key: "proxy")
            return nil
        }
        return .url(url)
    }

    /// An absolute path to a readable file that contains `marker`.
    private func pemPath(_ section: ConfigMapping, _ key: String, holding marker: String, what: String) -> String? {
        guard let node = section.value(key), let path = section.reader.text(node, path: section.childPath(key)) else {
            return nil
        }
        guard path.hasPrefix("/") else {
            section.report("\"\(path)\" is not an absolute path; give the full path of \(what) file", key: key)
            return nil
        }
        switch section.reader.readSecretFile(path) {
        case .failure(let unreadable):
            section.report("cannot read \(path) (\(unreadable.reason)); mount the file or fix the path", key: key)
            return nil
        case .success(let data):
            guard data.count <= Self.maxPEMFileBytes, data.range(of: Data(marker.utf8)) != nil else {
                section.report("\(path) is not \(what) (no \"\(marker)\" in its first \(Self.maxPEMFileBytes) bytes)", key: key)
                return nil
            }
            return path
        }
    }
}
