import Testing
@testable import Webhooks

@Suite struct TokenCheckTests {
    private let verifier = try! WebhookVerifier(.token(values: ["Basic aGFyYm9yOnMzY3JldA==", "Bearer next-token"]))

    private func verify(_ headers: WebhookHeaders) throws(VerificationFailure) -> VerifiedDelivery {
        try verifier.verify(headers: headers, body: [], now: .now)
    }

    @Test func anyConfiguredValue_IsAccepted_WithTheHeaderNameInAnyCase() throws {
        #expect(try verify([("Authorization", "Basic aGFyYm9yOnMzY3JldA==")]).deliveryId == nil)
        #expect(try verify([("authorization", "Bearer next-token")]).deliveryId == nil)
    }

    @Test(arguments: ["Basic aGFyYm9yOnMzY3JldA=", "Basic aGFyYm9yOnMzY3JldA==x", "basic aGFyYm9yOnMzY3JldA==",
                      "Bearer next-token ", "B"])
    func anyOtherValue_IsAMismatch(value: String) {
        #expect(throws: VerificationFailure.tokenMismatch) { try verify([("Authorization", value)]) }
    }

    @Test func missingOrRepeatedAuthorization_IsRefused() {
        #expect(throws: VerificationFailure.missingHeader("Authorization")) { try verify([]) }
        #expect(throws: VerificationFailure.missingHeader("Authorization")) { try verify([("Authorization", "")]) }
        #expect(throws: VerificationFailure.conflictingHeader("Authorization")) {
            try verify([("Authorization", "Bearer next-token"), ("Authorization", "Bearer other")])
        }
    }
}
