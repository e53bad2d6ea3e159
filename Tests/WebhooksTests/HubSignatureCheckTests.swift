import Testing
@testable import Webhooks

@Suite struct HubSignatureCheckTests {
    private let github = (secret: "It's a Secret to Everybody", body: Array("Hello, World!".utf8),
                          signature: "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")

    private func verify(_ value: String, header: String = "X-Hub-Signature-256", secrets: [String]? = nil,
                        body: [UInt8]? = nil) throws(VerificationFailure) -> VerifiedDelivery {
        let verifier = try! WebhookVerifier(.hmacSHA256(secrets: secrets ?? [github.secret]))
        return try verifier.verify(headers: [(header, value)], body: body ?? github.body, now: .now)
    }

    @Test func githubDocumentedExample_IsAccepted_WithoutADeliveryId() throws {
        #expect(try verify(github.signature) == VerifiedDelivery(deliveryId: nil))
    }

    @Test func hexAndPrefix_AreCaseInsensitive_AndTheHeaderNameToo() throws {
        #expect(try verify(github.signature.uppercased(), header: "x-hub-signature-256").deliveryId == nil)
    }

    @Test func theValidValue_AfterManyBadOnes_UnderTheLastSecret_Verifies() throws {
        let bad = (0..<15).map { "sha256=" + String(repeating: String($0 % 10), count: 64) }
        let headers: WebhookHeaders = WebhookHeaders((bad + [github.signature]).map { ("X-Hub-Signature-256", $0) })
        let verifier = try WebhookVerifier(.hmacSHA256(secrets: ["old secret", "older secret", github.secret]))
        #expect(try verifier.verify(headers: headers, body: github.body, now: .now).deliveryId == nil)
        let allBad: WebhookHeaders = WebhookHeaders(bad.map { ("X-Hub-Signature-256", $0) })
        #expect(throws: VerificationFailure.signatureMismatch) {
            try verifier.verify(headers: allBad, body: github.body, now: .now)
        }
    }

    @Test func anyRotatedSecret_Verifies() throws {
        #expect(try verify(github.signature, secrets: ["old secret", github.secret]).deliveryId == nil)
    }

    @Test func configuredHeaderName_IsTheOneRead() throws {
        let verifier = try WebhookVerifier(.hmacSHA256(header: "X-OpsMx-Signature", secrets: [github.secret]))
        #expect(throws: VerificationFailure.missingHeader("X-OpsMx-Signature")) {
            try verifier.verify(headers: [("X-Hub-Signature-256", github.signature)], body: github.body, now: .now)
        }
        _ = try verifier.verify(headers: [("x-opsmx-signature", github.signature)], body: github.body, now: .now)
    }

    @Test func otherBodyOrSecret_IsAMismatch() {
        #expect(throws: VerificationFailure.signatureMismatch) { try verify(github.signature, body: Array("Hello, World?".utf8)) }
        #expect(throws: VerificationFailure.signatureMismatch) { try verify(github.signature, secrets: ["It's a secret to everybody"]) }
    }

    @Test(arguments: ["757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
                      "sha1=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
                      "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e1",
                      "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e1g",
                      "sha256= 57107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
                      "sha256=", "sha256\u{1D}757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"])
    func valueNotShapedLikeSha256Hex_IsMalformed(value: String) {
        #expect(throws: VerificationFailure.malformedSignature) { try verify(value) }
    }

    @Test func missingHeader_IsNamed() {
        let verifier = try! WebhookVerifier(.hmacSHA256(secrets: [github.secret]))
        #expect(throws: VerificationFailure.missingHeader("X-Hub-Signature-256")) {
            try verifier.verify(headers: [], body: github.body, now: .now)
        }
    }
}
