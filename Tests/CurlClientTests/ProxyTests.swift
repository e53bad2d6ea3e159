import CurlClient
import Foundation
import LoopbackUpstreams
import Testing

/// A configured proxy (`upstream.proxy: URL`) for plain HTTP and for HTTPS (CONNECT). The environment's proxies
/// and `none` are exercised through the `scanrelay` binary in ScanRelayAppTests: environment variables are
/// process-wide, and these tests run in parallel with others.
@Suite struct ProxyTests {
    let client = CurlHTTPClient.shared

    @Test func plainHTTPGoesThroughTheConfiguredProxy() async throws {
        let target = try await UpstreamServer("json")
        let proxy = try await UpstreamServer("proxy")
        let response = try await client.send(
            CurlRequest(url: "\(target.url)/v1/plain"), options: CurlOptions(proxy: .url(proxy.url)))
        #expect(response.status == 200)
        let passed = await proxy.event("proxy")
        #expect(passed?["method"] == "GET")
        #expect(passed?["target"] == "\(target.url)/v1/plain")
        #expect(await target.event("request")?["path"] == "/v1/plain")
    }

    @Test func httpsIsTunnelledWithConnectAndStillVerified() async throws {
        let pki = try await TestPKI()
        let target = try await UpstreamServer("json", ["--tls", pki.serverCert, pki.serverKey])
        let proxy = try await UpstreamServer("proxy")
        let url = "https://127.0.0.1:\(target.port)/v1/tunnelled"
        let response = try await client.send(
            CurlRequest(url: url), options: CurlOptions(proxy: .url(proxy.url), tls: .init(caFile: pki.caFile)))
        #expect(response.status == 200)
        let passed = await proxy.event("proxy")
        #expect(passed?["method"] == "CONNECT")
        #expect(passed?["target"] == "127.0.0.1:\(target.port)")
        // Through the tunnel the upstream's certificate is checked as without a proxy.
        await #expect(throws: CurlClientError.self) {
            _ = try await client.send(CurlRequest(url: url), options: CurlOptions(proxy: .url(proxy.url)))
        }
    }

    @Test func anUnreachableProxyIsAProxyFailure() async throws {
        let proxy = try await UpstreamServer("proxy")
        let port = proxy.port
        proxy.process.signal(SIGKILL)
        _ = try? await proxy.process.finish()
        do {
            _ = try await client.send(
                CurlRequest(url: "http://127.0.0.1:9/v1"), options: CurlOptions(proxy: .url("http://127.0.0.1:\(port)")))
            Issue.record("a dead proxy answered")
        } catch {
            // libcurl reports a proxy it cannot connect to as a refused connection.
            #expect(error == .connectionRefused)
        }
    }
}
