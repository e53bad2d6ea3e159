import CurlClient
import Foundation
import LoopbackUpstreams
import Testing

/// HTTPS to loopback upstreams whose certificates a CA made in the test signed.
@Suite struct TLSTests {
    let client = CurlHTTPClient.shared

    @Test func aPrivateCAGivenAsCAFileIsTrusted() async throws {
        let pki = try await TestPKI()
        let server = try await UpstreamServer("json", ["--tls", pki.serverCert, pki.serverKey])
        let response = try await client.send(
            CurlRequest(url: "https://127.0.0.1:\(server.port)/v1/scan", headers: [(name: "Accept", value: "application/json")]),
            options: CurlOptions(tls: .init(caFile: pki.caFile)))
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"ok": true, "path": "/v1/scan"}"#)
        #expect(response.header("x-answer") == "yes")
        let request = await server.event("request")
        #expect(request?.headers["accept"] == "application/json")
    }

    @Test func withoutCAFileTheSystemBundleRefusesThePrivateCA() async throws {
        let pki = try await TestPKI()
        let server = try await UpstreamServer("json", ["--tls", pki.serverCert, pki.serverKey])
        await #expect(throws: CurlClientError.self) {
            _ = try await client.send(CurlRequest(url: "https://127.0.0.1:\(server.port)/v1/scan?token=query-secret"))
        }
        do {
            _ = try await client.send(CurlRequest(url: "https://127.0.0.1:\(server.port)/v1/scan?token=query-secret"))
        } catch {
            guard case .tls(let reason) = error else { Issue.record("expected a TLS failure, got \(error)"); return }
            // The failure names the cause only: no host, port, path or query.
            #expect(!reason.isEmpty)
            for leaked in ["127.0.0.1", "\(server.port)", "/v1/scan", "query-secret"] {
                #expect(!error.description.contains(leaked), "\(error.description) quotes \(leaked)")
            }
        }
        #expect(server.events("request").isEmpty)
    }

    @Test func aCAFileOfAnotherCAIsNotEnough() async throws {
        let pki = try await TestPKI()
        let server = try await UpstreamServer("json", ["--tls", pki.serverCert, pki.serverKey])
        await #expect(throws: CurlClientError.self) {
            _ = try await client.send(
                CurlRequest(url: "https://127.0.0.1:\(server.port)/"), options: CurlOptions(tls: .init(caFile: pki.otherCAFile)))
        }
        #expect(server.events("request").isEmpty)
    }

    @Test func anUpstreamRequiringAClientCertificateGetsTheConfiguredOne() async throws {
        let pki = try await TestPKI()
        let server = try await UpstreamServer("json", ["--tls", pki.serverCert, pki.serverKey, "--client-ca", pki.caFile])
        let url = "https://127.0.0.1:\(server.port)/v1/mtls"
        await #expect(throws: CurlClientError.self) {
            _ = try await client.send(CurlRequest(url: url), options: CurlOptions(tls: .init(caFile: pki.caFile)))
        }
        let response = try await client.send(
            CurlRequest(url: url),
            options: CurlOptions(tls: .init(caFile: pki.caFile, certFile: pki.clientCert, keyFile: pki.clientKey)))
        #expect(response.status == 200)
        _ = await server.event("request")
        let requests = server.events("request")
        #expect(requests.count == 1)
        #expect(requests.first?["clientCert"] == "scanrelay-client")
    }

    @Test func http2IsUsedOverTLSWhereTheServerOffersIt() async throws {
        let pki = try await TestPKI()
        let server = try await UpstreamServer("json", ["--tls", pki.serverCert, pki.serverKey, "--h2"])
        let options = CurlOptions(tls: .init(caFile: pki.caFile))
        // Four at once: with HTTP/2 they share the first connection instead of opening one each.
        try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<4 {
                group.addTask {
                    try await client.send(CurlRequest(url: "https://127.0.0.1:\(server.port)/h2/\(index)"), options: options).status
                }
            }
            for try await status in group { #expect(status == 200) }
        }
        for index in 0..<4 { _ = await server.event("request") { $0["path"] == "/h2/\(index)" } }
        let requests = server.events("request")
        #expect(requests.count == 4)
        #expect(requests.allSatisfy { $0["protocol"] == "h2" })
        #expect(Set(requests.compactMap { $0.int("connection") }).count == 1)
    }
}
