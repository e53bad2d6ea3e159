import Foundation
import Testing
@testable import ScanRelayApp

@Suite("Bearer tokens and scopes")
struct AuthTests {
    static func securedApp() async throws -> RunningApp {
        try await RunningApp.start { configuration in
            configuration.api.tokens = [
                APIToken(token: "reader-token", scopes: [.read]),
                APIToken(token: "writer-token", scopes: [.read, .write]),
            ]
        }
    }

    @Test func readRoute_WithoutToken_Is401_WithAChallenge() async throws {
        let app = try await Self.securedApp()
        let response = try await app.get("/v1/scans")
        #expect(response.status == 401)
        #expect(response.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
        #expect(response.header("Content-Type") == "application/problem+json")
        try await app.stop()
    }

    @Test(arguments: ["Bearer wrong-token", "Basic cmVhZGVyOnRva2Vu", "Bearer", "reader-token", "Bearer reader-token2"])
    func readRoute_WithABadToken_Is401(authorization: String) async throws {
        let app = try await Self.securedApp()
        #expect(try await app.get("/v1/scans", headers: [("Authorization", authorization)]).status == 401)
        try await app.stop()
    }

    @Test func readToken_ReadsScansImagesAndWatches() async throws {
        let app = try await Self.securedApp()
        let auth = [("Authorization", "Bearer reader-token")]
        #expect(try await app.get("/v1/scans", headers: auth).status == 200)
        #expect(try await app.get("/v1/images/x/scans", headers: auth).status == 200)
        #expect(try await app.get("/v1/watches", headers: auth).status == 200)
        #expect(try await app.get("/v1/scans", headers: [("Authorization", "bearer   reader-token")]).status == 200)
        try await app.stop()
    }

    @Test func readToken_OnAWriteRoute_Is403() async throws {
        let app = try await Self.securedApp()
        let auth = [("Authorization", "Bearer reader-token")]
        let created = try await app.postJSON("/v1/watches", #"{"source":"x","ref":{}}"#, headers: auth)
        #expect(created.status == 403)
        #expect(created.json["detail"] as? String == "this operation needs the write scope")
        #expect(try await app.request("DELETE", "/v1/watches/w1", headers: auth).status == 403)
        try await app.stop()
    }

    @Test func writeToken_PassesToTheHandler() async throws {
        let app = try await Self.securedApp()
        let response = try await app.postJSON(
            "/v1/watches", #"{"source":"x","ref":{}}"#, headers: [("Authorization", "Bearer writer-token")])
        #expect(response.status == 422)
        try await app.stop()
    }

    @Test(arguments: ["/healthz", "/readyz", "/metrics", "/openapi.yaml"])
    func operationalEndpoints_AreOpen(path: String) async throws {
        let app = try await Self.securedApp()
        #expect(try await app.get(path).status == 200)
        try await app.stop()
    }

    @Test func webhooks_NeverAskForAPITokens() async throws {
        let app = try await Self.securedApp()
        let response = try await app.postJSON("/v1/webhooks/nowhere", "{}")
        #expect(response.status == 404)
        try await app.stop()
    }

    @Test func openAPI_OnAPublicAddress_RefusesToStart_UnlessAnonymousIsAllowed() throws {
        var configuration = RunningApp.testConfiguration()
        configuration.listen = ListenAddress(host: "0.0.0.0", port: 0)
        #expect(throws: ApplicationError.self) {
            _ = try ScanRelayApplication(configuration: configuration, logger: .init(label: "test"))
        }
        configuration.api.allowAnonymous = true
        _ = try ScanRelayApplication(configuration: configuration, logger: .init(label: "test"))
        configuration.api.allowAnonymous = false
        configuration.api.tokens = [APIToken(token: "t", scopes: [.read])]
        _ = try ScanRelayApplication(configuration: configuration, logger: .init(label: "test"))
    }

    @Test func tokenAuthenticator_MatchesWholeTokensOnly_AndUnitesScopes() {
        let authenticator = TokenAuthenticator(tokens: [
            APIToken(token: "same", scopes: [.read]), APIToken(token: "same", scopes: [.write]),
            APIToken(token: "other", scopes: [.read]),
        ])
        #expect(authenticator.scopes(for: "same") == [.read, .write])
        #expect(authenticator.scopes(for: "other") == [.read])
        #expect(authenticator.scopes(for: "sam") == nil)
        #expect(authenticator.scopes(for: "") == nil)
    }
}
