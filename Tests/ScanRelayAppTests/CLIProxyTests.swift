import ChildProcesses
import Foundation
import LoopbackUpstreams
import Testing

/// The environment's proxy variables, through the `scanrelay` binary (libcurl reads them in the process that runs
/// it, so they are set for a child, never in the test process): `wait` honours them as any HTTP client does,
/// `healthcheck` probes the local service directly whatever they say.
@Suite(.timeLimit(.minutes(2))) struct CLIProxyTests {
    /// Every proxy variable libcurl reads, cleared, then `set`: a run must not depend on the shell's.
    static func proxyEnvironment(_ set: [String: String]) -> [String: String] {
        let cleared = ["http_proxy", "https_proxy", "HTTPS_PROXY", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"]
        return Dictionary(uniqueKeysWithValues: cleared.map { ($0, "") }).merging(set) { _, new in new }
    }

    @Test func waitSendsPlainHTTPThroughHttpProxy() async throws {
        let target = try await UpstreamServer("json")
        let proxy = try await UpstreamServer("proxy")
        _ = try await CLIProcess.run(
            ["wait", "--server", target.url, "--scan", "relay:x", "--timeout", "2s"],
            environment: Self.proxyEnvironment(["http_proxy": proxy.url]))
        let passed = await within { await proxy.event("proxy") }
        #expect(passed?["method"] == "GET")
        #expect(passed?["target"]?.hasPrefix("\(target.url)/v1/scans/relay:x") == true)
        #expect(await within { await target.event("request") }?["path"]?.hasPrefix("/v1/scans/relay:x") == true)
    }

    @Test func noProxyNamesHostsReachedDirectly() async throws {
        let target = try await UpstreamServer("json")
        let proxy = try await UpstreamServer("proxy")
        _ = try await CLIProcess.run(
            ["wait", "--server", target.url, "--scan", "relay:x", "--timeout", "2s"],
            environment: Self.proxyEnvironment(["http_proxy": proxy.url, "NO_PROXY": "127.0.0.1"]))
        #expect(await within { await target.event("request") } != nil)
        #expect(proxy.events("proxy").isEmpty)
    }

    @Test func httpsGoesThroughHttpsProxyWithConnect() async throws {
        let pki = try await TestPKI()
        let target = try await UpstreamServer("json", ["--tls", pki.serverCert, pki.serverKey])
        let proxy = try await UpstreamServer("proxy")
        let result = try await CLIProcess.run(
            ["wait", "--server", "https://127.0.0.1:\(target.port)", "--scan", "relay:x", "--timeout", "2s"],
            environment: Self.proxyEnvironment(["HTTPS_PROXY": proxy.url]))
        let passed = await within { await proxy.event("proxy") }
        #expect(passed?["method"] == "CONNECT")
        #expect(passed?["target"] == "127.0.0.1:\(target.port)")
        // The test CA is in no system bundle: the tunnel opened, the certificate was still refused.
        #expect(result.status != 0)
        #expect(target.events("request").isEmpty)
    }

    @Test func healthcheckIgnoresTheEnvironmentsProxy() async throws {
        let target = try await UpstreamServer("json")
        let proxy = try await UpstreamServer("proxy")
        let result = try await CLIProcess.run(
            ["healthcheck", "--url", "\(target.url)/readyz"],
            environment: Self.proxyEnvironment(["http_proxy": proxy.url, "ALL_PROXY": proxy.url]))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(await within { await target.event("request") }?["path"] == "/readyz")
        #expect(proxy.events("proxy").isEmpty)
    }
}
