import Foundation
import Testing
@testable import Webhooks

@Suite struct WebhookVerifierTests {
    @Test func noneScheme_AcceptsAnything_WithoutADeliveryId() throws {
        let verifier = try WebhookVerifier(.none)
        #expect(verifier.kind == .none)
        #expect(try verifier.verify(headers: [], body: Array("x".utf8), now: .now) == VerifiedDelivery(deliveryId: nil))
    }

    @Test func configurationErrors_NameTheSecretByPosition_NeverByValue() {
        let cases: [(WebhookScheme, String)] = [
            (.standardWebhooks(secrets: []), "no secret is configured"),
            (.standardWebhooks(secrets: [Delivery.reference.key, "whsec_!!notbase64!!"]), "secret #2: the whsec_ secret is not valid base64"),
            (.standardWebhooks(secrets: ["whsec_c2hvcnQ="]), "secret #1: the secret decodes to 5 bytes; use at least 24 random bytes"),
            (.standardWebhooks(secrets: ["whpk_c2hvcnQ="]), "secret #1: a whpk_ public key must be 32 bytes of base64"),
            (.standardWebhooks(secrets: ["whsk_c2hvcnQ="]), "secret #1: a whsk_ secret key must be 32 or 64 bytes of base64"),
            (.standardWebhooks(secrets: [Delivery.reference.key], tolerance: .seconds(-1)), "the timestamp tolerance must not be negative"),
            (.hmacSHA256(secrets: [""]), "secret #1: the secret is empty"),
            (.hmacSHA256(header: "", secrets: ["s"]), "the signature header name must not be empty"),
            (.token(values: ["Bearer a", ""]), "secret #2: the token is empty"),
            (.token(values: []), "no secret is configured"),
        ]
        for (scheme, message) in cases {
            #expect(throws: WebhookConfigurationError.self) { try WebhookVerifier(scheme) }
            do {
                _ = try WebhookVerifier(scheme)
            } catch {
                #expect(error.description == message)
            }
        }
    }

    @Test func ed25519SecretKey_WhoseHalvesDisagree_IsRefused() {
        // Seed of one key followed by the public key of another.
        var bytes = Array(Data(base64Encoded: String(Delivery.ed25519SeedAndPublic.dropFirst(5)))!)
        bytes[40] ^= 0xFF
        let mismatched = "whsk_" + Data(bytes).base64EncodedString()
        #expect(throws: WebhookConfigurationError(index: 0, problem: "the whsk_ secret key's second half is not the public key of its seed")) {
            try WebhookVerifier(.standardWebhooks(secrets: [mismatched]))
        }
    }

    @Test func configuredSecrets_ForgiveMissingPaddingAndSurroundingWhitespace() throws {
        let verifier = try WebhookVerifier(.standardWebhooks(secrets: ["  whsec_IKbVl5OwLtShd7mBbU/viEd4hZlfBgtdTw48sG+PX8Q\n"]))
        let d = Delivery.generated
        #expect(try verifier.verify(headers: d.headers(), body: Array(d.body.utf8), now: d.sentAt).deliveryId == d.id)
    }

    @Test func schemeDescriptions_NeverContainSecrets() {
        let schemes: [WebhookScheme] = [
            .standardWebhooks(secrets: [Delivery.reference.key]), .hmacSHA256(secrets: ["hub-secret-value"]),
            .token(values: ["Bearer token-value"]),
        ]
        for scheme in schemes {
            var dumped = ""
            dump(scheme, to: &dumped)
            for text in ["\(scheme)", String(reflecting: scheme), dumped] {
                #expect(!text.contains("MfKQ9r8G") && !text.contains("hub-secret") && !text.contains("token-value"), "\(text)")
            }
        }
        #expect("\(WebhookScheme.hmacSHA256(secrets: ["a", "b"]))" == "hmac-sha256 via X-Hub-Signature-256 (2 secret(s))")
    }

    @Test func kindNames_AreTheConfigurationNames() {
        #expect(WebhookScheme.Kind.allCases.map(\.rawValue) == ["standard-webhooks", "hmac-sha256", "token", "none"])
        #expect(WebhookScheme.token(values: ["x"]).kind == .token)
    }

    @Test func failureReasons_AreFitToShow() {
        #expect(VerificationFailure.missingHeader("webhook-id").description == "missing webhook-id header")
        #expect(VerificationFailure.signatureMismatch.label == "signature_mismatch")
    }
}
