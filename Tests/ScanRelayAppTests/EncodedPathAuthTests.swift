import ChildProcesses
import Foundation
import ScanCore
import Testing
@testable import ScanRelayApp

/// The authentication bypass of issue 14, tried as the attacker did: every protected route, spelled with
/// percent-encoded unreserved characters, under each credential, over HTTP/1.1, h2c with prior knowledge and h2c
/// after `Upgrade: h2c` — through curl, which sends the target byte for byte (`--path-as-is`).
///
/// Before the fix the scope came from the raw target (`hasPrefix("/v1/")`) while the router decoded segments, so
/// `POST /%761/watches` with no token created a watch and `GET /%761/scans` answered 200.
@Suite("Auth is decided by the matched route, however the path is encoded")
struct EncodedPathAuthTests {
    enum Transport: String, CaseIterable, Sendable {
        case http1 = "HTTP/1.1"
        case h2cPriorKnowledge = "h2c prior knowledge"
        case h2cUpgrade = "Upgrade: h2c"

        var curlArguments: [String] {
            switch self {
            case .http1: ["--http1.1"]
            case .h2cPriorKnowledge: ["--http2-prior-knowledge"]
            case .h2cUpgrade: ["--http2"]
            }
        }
    }

    enum Credential: String, CaseIterable, Sendable {
        case none, reader, writer

        var header: [String] {
            switch self {
            case .none: []
            case .reader: ["-H", "Authorization: Bearer reader-token"]
            case .writer: ["-H", "Authorization: Bearer writer-token"]
            }
        }

        func may(_ scope: APIToken.Scope) -> Bool {
            switch self {
            case .none: false
            case .reader: scope == .read
            case .writer: true
            }
        }
    }

    struct ProtectedRoute: Sendable {
        var method: String
        /// Targets that all route to one handler: the canonical spelling and encoded ones.
        var targets: [String]
        var scope: APIToken.Scope
        var body: String?
    }

    static let watchBody = #"{"source": "binarly", "ref": {"productId": "p1", "imageId": "i1"}, "imageSizeBytes": 1073741824, "scanStartedAt": "2999-01-01T00:00:00Z"}"#

    /// Every route that needs a token, each written three ways at least.
    static let routes: [ProtectedRoute] = [
        ProtectedRoute(method: "GET", targets: ["/v1/scans", "/%761/scans", "/v1/%73cans", "/%76%31/%73%63%61%6E%73"], scope: .read),
        ProtectedRoute(method: "GET", targets: ["/v1/scans/relay:s1?view=full", "/%761/scans/relay:s1?view=full", "/v1/%73cans/relay%3As1?view=full"], scope: .read),
        ProtectedRoute(method: "GET", targets: ["/v1/images/image-1/scans", "/%761/images/image-1/scans", "/v1/%69mages/image-1/%73cans"], scope: .read),
        ProtectedRoute(method: "GET", targets: ["/v1/watches", "/%761/watches", "/v1/%77atches"], scope: .read),
        ProtectedRoute(method: "GET", targets: ["/v1/watches/w-x", "/%761/watches/w-x", "/v1/%77atches/w-x"], scope: .read),
        ProtectedRoute(method: "GET", targets: ["/v1/events", "/%761/events", "/v1/%65vents"], scope: .read),
        ProtectedRoute(method: "POST", targets: ["/v1/watches", "/%761/watches", "/v1/%77atches", "/v1/w%61tches"], scope: .write, body: watchBody),
        ProtectedRoute(method: "DELETE", targets: ["/v1/watches/w-x", "/%761/watches/w-x", "/v1/%77atches/w-x"], scope: .write),
    ]

    static func start() async throws -> RunningApp {
        let app = try await RunningApp.start { configuration in
            configuration.api.tokens = [
                APIToken(token: "reader-token", scopes: [.read]),
                APIToken(token: "writer-token", scopes: [.read, .write]),
            ]
            configuration.sources = [
                SourceConfiguration(
                    name: "binarly", provider: .binarly,
                    // Never called: the watches created here are due in 2999.
                    upstream: UpstreamSettings(baseURL: URL(string: "http://127.0.0.1:9")!, auth: .bearer("t")),
                    webhook: WebhookSettings(verify: .none)),
            ]
        }
        app.seed(.make("s1", status: .completed, updatedAt: Date(timeIntervalSince1970: 1_800_000_000)))
        return app
    }

    /// The status curl saw and the HTTP version it spoke.
    static func send(
        _ route: ProtectedRoute, _ target: String, as credential: Credential, over transport: Transport, port: Int
    ) async throws -> (status: Int, version: String) {
        var arguments = ["-sS", "--path-as-is", "-o", "/dev/null", "-w", "%{http_code} %{http_version}", "-X", route.method]
        arguments += transport.curlArguments + credential.header
        if let body = route.body { arguments += ["-H", "Content-Type: application/json", "--data-binary", body] }
        // The event stream never ends: its status line is all this test needs.
        if target.contains("vents") { arguments += ["--max-time", "3"] }
        arguments.append("http://127.0.0.1:\(port)\(target)")
        let result = try await ChildProcess.run("curl", arguments)
        let fields = result.stdout.split(separator: " ")
        return (Int(fields.first ?? "") ?? -1, fields.count > 1 ? String(fields[1]) : "")
    }

    @Test(arguments: Transport.allCases)
    func everyProtectedRoute_InEverySpelling_NeedsItsScope(transport: Transport) async throws {
        let app = try await Self.start()
        var created = 0
        for route in Self.routes {
            for target in route.targets {
                for credential in Credential.allCases {
                    let answer = try await Self.send(route, target, as: credential, over: transport, port: app.port)
                    let label = "\(credential) \(route.method) \(target) over \(transport.rawValue)"
                    #expect(answer.status > 0, "\(label): curl got no answer")
                    if transport != .http1, route.method == "GET" {
                        #expect(answer.version == "2", "\(label) was answered over HTTP/\(answer.version)")
                    }
                    switch (credential, credential.may(route.scope)) {
                    case (.none, _): #expect(answer.status == 401, "\(label) → \(answer.status)")
                    case (_, false): #expect(answer.status == 403, "\(label) → \(answer.status)")
                    case (_, true): #expect(answer.status != 401 && answer.status != 403, "\(label) → \(answer.status)")
                    }
                    if route.method == "POST", answer.status == 201 { created += 1 }
                }
            }
        }
        // Only the writer's creations happened: nothing refused left a watch behind.
        let postTargets = Self.routes.filter { $0.method == "POST" }.map(\.targets.count).reduce(0, +)
        #expect(created == postTargets)
        let watches = try await app.get("/v1/watches", headers: [("Authorization", "Bearer reader-token")])
        #expect((watches.json["watches"] as? [Any])?.count == postTargets)
        try await app.stop()
    }

    @Test func openRoutes_StayOpen_InAnySpelling() async throws {
        let app = try await Self.start()
        for target in ["/healthz", "/%68ealthz", "/readyz", "/metrics", "/openapi.yaml", "/openapi%2Eyaml"] {
            #expect(try await app.get(target).status == 200, "\(target)")
        }
        // A webhook is governed by its source's scheme only, whatever the spelling of its path.
        let hook = try await app.postJSON("/v1/%77ebhooks/nowhere", "{}")
        #expect(hook.status == 404)
        try await app.stop()
    }
}
