import ChildProcesses
import Foundation
import Testing
@testable import ScanRelayApp

/// Standard Webhooks secrets in every form the reference library accepts, and `v1a` (Ed25519) with `whpk_` keys,
/// end to end: a YAML configuration through the loader (as `serve` and `check-config` read it), the live server on
/// loopback, and deliveries signed by code nobody on the project wrote — PyPI `standardwebhooks` for `v1`, and an
/// Ed25519 key made by Python `cryptography` signing `v1a` as the spec describes (scripts/clients/).
@Suite("Standard Webhooks secrets and v1a keys, signed by the reference library")
struct StandardWebhooksLibraryTests {
    static let sender = RepositoryFiles.url("scripts/clients/standard_webhooks_sender.py").path

    /// 32 key bytes and the forms a sender's dashboard may show them in.
    /// Bytes, not a `Data`: a `Data` of this size held in a global keeps its storage pointer with spare bits set,
    /// where LeakSanitizer cannot see it, and is reported as leaked at exit.
    static let key: [UInt8] = (0..<32).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
    static let padded = Data(key).base64EncodedString()
    static let forms: [(source: String, secret: String)] = [
        ("whsec-padded", "whsec_" + padded),
        ("whsec-unpadded", "whsec_" + padded.replacingOccurrences(of: "=", with: "")),
        ("bare-padded", padded),
        ("bare-unpadded", padded.replacingOccurrences(of: "=", with: "")),
    ]

    static func python(_ arguments: [String]) async throws -> [String: Any] {
        let result = try await ChildProcess.run("python3", [sender] + arguments)
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return try #require(json, "sender printed \(result.stdout) \(result.stderr)")
    }

    static func event(_ upstreamId: String) -> String {
        #"{"type": "scan.completed", "data": {"upstreamId": "\#(upstreamId)", "provider": "scanrelay", "#
            + #""subject": {"imageId": "sha256-abc"}, "status": "completed", "#
            + #""findings": {"critical": 0, "high": 1, "medium": 2, "low": 0, "negligible": 0, "unknown": 0, "total": 3}}}"#
    }

    /// The sources of `forms` plus one `v1a` source keyed by `publicKey`, loaded from YAML.
    static func start(publicKey: String) async throws -> RunningApp {
        var yaml = "sources:\n"
        for (source, secret) in forms + [("ed25519", publicKey)] {
            yaml += "  - { name: \(source), provider: scanrelay, webhook: { verify: standard-webhooks, secret: \"\(secret)\" } }\n"
        }
        let loaded = try ConfigurationLoader(environment: [:]).load(yaml: yaml, file: "test.yaml")
        return try await RunningApp.start { configuration in configuration.sources = loaded.sources }
    }

    @Test func everySecretForm_AndAWhpkKey_PassCheckConfig() {
        for (_, secret) in Self.forms + [("", "whpk_" + Self.padded)] {
            let yaml = "sources:\n  - { name: s, provider: scanrelay, webhook: { verify: standard-webhooks, secret: \"\(secret)\" } }\n"
            #expect(ConfigurationFixtures.problems(yaml) == [], "\(secret)")
        }
    }

    @Test func v1_SignedByTheReferenceLibrary_IsAccepted_ForEverySecretForm() async throws {
        let keys = try await Self.python(["keygen"])
        let app = try await Self.start(publicKey: try #require(keys["publicKey"] as? String))
        for (index, (source, secret)) in Self.forms.enumerated() {
            let answer = try await Self.python(["send", "\(app.port)", source, "v1", secret, Self.event("form-\(index)")])
            #expect(answer["status"] as? Int == 202, "\(source): \(answer)")
            #expect((answer["body"] as? [String: Any])?["scanId"] as? String == "\(source):form-\(index)")
            let forged = try await Self.python(["send", "\(app.port)", source, "v1", secret, Self.event("forged"), "--tamper"])
            #expect(forged["status"] as? Int == 401, "\(source): a body changed after signing must be refused")
        }
        #expect(app.app.store.count == Self.forms.count)
        try await app.stop()
    }

    @Test func v1a_SignedWithAnEd25519Key_IsAccepted_ByTheSourceKeyedWithItsWhpkPublicKey() async throws {
        let keys = try await Self.python(["keygen"])
        let publicKey = try #require(keys["publicKey"] as? String), privateKey = try #require(keys["privateKey"] as? String)
        #expect(publicKey.hasPrefix("whpk_"))
        let app = try await Self.start(publicKey: publicKey)
        let answer = try await Self.python(["send", "\(app.port)", "ed25519", "v1a", privateKey, Self.event("signed-v1a")])
        #expect(answer["status"] as? Int == 202, "\(answer)")
        #expect((answer["body"] as? [String: Any])?["scanId"] as? String == "ed25519:signed-v1a")
        let scan = try await app.get("/v1/scans/ed25519:signed-v1a")
        #expect(scan.status == 200)
        #expect((scan.json["findings"] as? [String: Any])?["total"] as? Int == 3)

        let forged = try await Self.python(["send", "\(app.port)", "ed25519", "v1a", privateKey, Self.event("x"), "--tamper"])
        #expect(forged["status"] as? Int == 401)
        // Another key's signature, and a v1 HMAC made with the public key's bytes as a secret, are both refused.
        let other = try await Self.python(["keygen"])
        let stranger = try await Self.python(["send", "\(app.port)", "ed25519", "v1a", try #require(other["privateKey"] as? String), Self.event("y")])
        #expect(stranger["status"] as? Int == 401)
        let confused = try await Self.python(["send", "\(app.port)", "ed25519", "v1", String(publicKey.dropFirst(5)), Self.event("z")])
        #expect(confused["status"] as? Int == 401)
        #expect(app.app.store.count == 1)
        try await app.stop()
    }
}
