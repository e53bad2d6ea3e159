import Foundation
import Testing
@testable import ScanRelayApp

/// `upstream.tls` and `upstream.proxy`: what is accepted, and what `check-config` says about the rest.
@Suite struct UpstreamNetworkConfigurationTests {
    static let certificate = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    static let key = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"

    static func yaml(_ upstreamExtra: String) -> String {
        "sources:\n  - name: s\n    provider: binarly\n    upstream:\n      baseURL: https://scanner.example.com\n"
            + upstreamExtra.split(separator: "\n").map { "      \($0)\n" }.joined()
            + "    webhook: { verify: none }\n"
    }

    static func load(_ yaml: String) throws -> UpstreamSettings? {
        try ConfigurationLoader(environment: [:]).load(yaml: yaml, file: "test.yaml", listen: nil).sources.first?.upstream
    }

    @Test func withoutEitherKeyTheSystemCAsAndTheEnvironmentsProxyAreUsed() throws {
        let upstream = try Self.load(Self.yaml(""))
        #expect(upstream?.tls == UpstreamTLSSettings())
        #expect(upstream?.proxy == .environment)
    }

    @Test func caFileAndClientCertificateAreRead() throws {
        let directory = try ConfigurationFixtures.TemporaryDirectory()
        let ca = try directory.write("ca.pem", Self.certificate)
        let cert = try directory.write("client.pem", Self.certificate)
        let key = try directory.write("client.key", Self.key)
        let upstream = try Self.load(Self.yaml("tls: { caFile: \(ca), certFile: \(cert), keyFile: \(key) }"))
        #expect(upstream?.tls == UpstreamTLSSettings(caFile: ca, certFile: cert, keyFile: key))
    }

    @Test(arguments: [
        ("proxy: http://egress.internal:3128", UpstreamProxySetting.url(URL(string: "http://egress.internal:3128")!)),
        ("proxy: socks5h://127.0.0.1:1080", .url(URL(string: "socks5h://127.0.0.1:1080")!)),
        ("proxy: none", UpstreamProxySetting.none),
    ])
    func proxyIsAURLOrNone(line: String, expected: UpstreamProxySetting) throws {
        #expect(try Self.load(Self.yaml(line))?.proxy == expected)
    }

    @Test func aProxysPasswordIsNotInItsDescription() {
        let proxy = UpstreamProxySetting.url(URL(string: "http://user:pr0xy-pass@egress.internal:3128")!)
        #expect(!proxy.description.contains("pr0xy-pass"))
        #expect(proxy.description.contains("egress.internal:3128"))
    }

    @Test func problemsAreReportedLikeEveryOtherKey() throws {
        let directory = try ConfigurationFixtures.TemporaryDirectory()
        let keyAsCA = try directory.write("key.pem", Self.key)
        let cert = try directory.write("client.pem", Self.certificate)
        let missing = directory.url.appendingPathComponent("absent.pem").path
        let cases: [(String, [String])] = [
            ("tls: { caFile: \(missing) }", ["test.yaml:6: sources[0].upstream.tls.caFile: cannot read \(missing) (no such file); mount the file or fix the path"]),
            ("tls: { caFile: \(keyAsCA) }", ["test.yaml:6: sources[0].upstream.tls.caFile: \(keyAsCA) is not a PEM certificate (the CA) (no \"-----BEGIN CERTIFICATE-----\" in its first 4194304 bytes)"]),
            ("tls: { caFile: certs/ca.pem }", ["test.yaml:6: sources[0].upstream.tls.caFile: \"certs/ca.pem\" is not an absolute path; give the full path of a PEM certificate (the CA) file"]),
            ("tls: { certFile: \(cert) }", ["test.yaml:6: sources[0].upstream.tls.keyFile: is required; a client certificate needs both certFile and keyFile"]),
            ("tls: { verify: false }", ["test.yaml:6: sources[0].upstream.tls.verify: unknown key; valid keys here: caFile, certFile, keyFile"]),
            ("proxy: ftp://egress.internal:21", ["test.yaml:6: sources[0].upstream.proxy: \"ftp://egress.internal:21\" is not a proxy; give none or a URL such as http://egress.internal:3128 (schemes: http, https, socks4, socks4a, socks5, socks5h)"]),
            ("proxy: http://user:pr0xy-pass@egress.internal:3128/path", ["test.yaml:6: sources[0].upstream.proxy: the value is not a proxy; give none or a URL such as http://egress.internal:3128 (schemes: http, https, socks4, socks4a, socks5, socks5h)"]),
        ]
        for (line, expected) in cases {
            #expect(ConfigurationFixtures.problems(Self.yaml(line)) == expected, "\(line)")
        }
    }
}
