import Testing
@testable import Webhooks

@Suite struct WebhookSignerTests {
    @Test func standardWebhooksSignature_ReproducesTheReferenceExample() throws {
        let d = Delivery.reference
        let signature = try WebhookSigner.standardWebhooksSignature(
            id: d.id, timestamp: Int64(d.timestamp)!, body: Array(d.body.utf8), secret: d.key)
        #expect(signature == d.signature)
    }

    @Test func ed25519Signature_IsDeterministic_AndVerifies() throws {
        let d = Delivery.asymmetric
        for secret in [Delivery.ed25519Seed, Delivery.ed25519SeedAndPublic] {
            let signature = try WebhookSigner.standardWebhooksSignature(
                id: d.id, timestamp: Int64(d.timestamp)!, body: Array(d.body.utf8), secret: secret)
            #expect(signature == d.signature, "Ed25519 signatures are deterministic")
        }
    }

    @Test func publicKey_CannotSign() {
        #expect(throws: WebhookConfigurationError.self) {
            try WebhookSigner.standardWebhooksSignature(id: "m", timestamp: 1, body: [], secret: Delivery.asymmetric.key)
        }
    }

    @Test func hubSignature_ReproducesGitHubsExample() {
        #expect(WebhookSigner.hubSignature(body: Array("Hello, World!".utf8), secret: "It's a Secret to Everybody")
            == "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")
    }
}
