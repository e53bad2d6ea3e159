import Foundation
import Testing
@testable import Webhooks

@Suite struct StandardWebhooksCheckTests {
    private func verify(
        _ delivery: Delivery, headers: WebhookHeaders? = nil, body: String? = nil, keys: [String]? = nil,
        now: Date? = nil
    ) throws(VerificationFailure) -> VerifiedDelivery {
        let verifier = try! WebhookVerifier(.standardWebhooks(secrets: keys ?? [delivery.key]))
        return try verifier.verify(
            headers: headers ?? delivery.headers(), body: Array((body ?? delivery.body).utf8), now: now ?? delivery.sentAt)
    }

    @Test func referenceExample_IsAccepted_AndYieldsItsWebhookId() throws {
        #expect(try verify(.reference) == VerifiedDelivery(deliveryId: "msg_p5jXN8AQM9LWM0D4loKWxJek"))
    }

    @Test func generatedSymmetricExample_IsAccepted() throws {
        #expect(try verify(.generated).deliveryId == Delivery.generated.id)
    }

    @Test func ed25519Example_IsAccepted_WithThePublicKey_AndBothSecretKeyForms() throws {
        for key in [Delivery.asymmetric.key, Delivery.ed25519Seed, Delivery.ed25519SeedAndPublic] {
            #expect(try verify(.asymmetric, keys: [key]).deliveryId == Delivery.asymmetric.id)
        }
    }

    @Test func svixHeaderNames_AreAccepted_InAnyCase() throws {
        let d = Delivery.reference
        let headers: WebhookHeaders = [("Svix-Id", d.id), ("SVIX-TIMESTAMP", d.timestamp), ("svix-signature", d.signature)]
        #expect(try verify(d, headers: headers).deliveryId == d.id)
        let upper: WebhookHeaders = [("Webhook-ID", d.id), ("Webhook-Timestamp", d.timestamp), ("WEBHOOK-SIGNATURE", d.signature)]
        #expect(try verify(d, headers: upper).deliveryId == d.id)
    }

    @Test func oneMatchingSignature_AmongUnknownAndMalformedOnes_IsEnough() throws {
        let d = Delivery.reference
        let list = "v2,AAAA v1, junk v1,not*base64 \(Delivery.generated.signature) \(d.signature) v1a,xyz"
        #expect(try verify(d, headers: d.headers(signature: list)).deliveryId == d.id)
    }

    /// Every key's MAC is computed once and compared with each entry, so the valid entry may come last of the
    /// sixteen a header may carry, under any of several keys.
    @Test func theValidEntry_LastOfSixteen_UnderTheLastKey_Verifies() throws {
        let d = Delivery.reference
        let bad = (0..<15).map { "v1," + Data(repeating: UInt8($0), count: 32).base64EncodedString() }
        let list = (bad + [d.signature]).joined(separator: " ")
        let keys = [Delivery.generated.key, Delivery.asymmetric.key, d.key]
        #expect(try verify(d, headers: d.headers(signature: list), keys: keys).deliveryId == d.id)
        let allBad = (bad + ["v1," + Data(repeating: 0xEE, count: 32).base64EncodedString()]).joined(separator: " ")
        #expect(throws: VerificationFailure.signatureMismatch) {
            try verify(d, headers: d.headers(signature: allBad), keys: keys)
        }
    }

    @Test func anyOfSeveralRotatedKeys_Verifies() throws {
        let keys = [Delivery.generated.key, Delivery.asymmetric.key, Delivery.reference.key]
        #expect(try verify(.reference, keys: keys).deliveryId == Delivery.reference.id)
        #expect(try verify(.asymmetric, keys: keys).deliveryId == Delivery.asymmetric.id)
    }

    @Test func secretWithoutPrefix_IsTakenAsBase64() throws {
        #expect(try verify(.reference, keys: ["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]).deliveryId == Delivery.reference.id)
    }

    @Test func wrongSignature_IsASignatureMismatch() {
        let d = Delivery.reference
        #expect(throws: VerificationFailure.signatureMismatch) {
            try verify(d, headers: d.headers(signature: Delivery.generated.signature))
        }
        #expect(throws: VerificationFailure.signatureMismatch) { try verify(d, keys: [Delivery.generated.key]) }
    }

    @Test func flippedLastByte_OfSignatureOrBody_IsASignatureMismatch() {
        let d = Delivery.reference
        var mac = Array(Data(base64Encoded: String(d.signature.dropFirst(3)))!)
        mac[mac.count - 1] ^= 0x01
        let flipped = "v1," + Data(mac).base64EncodedString()
        #expect(throws: VerificationFailure.signatureMismatch) { try verify(d, headers: d.headers(signature: flipped)) }
        #expect(throws: VerificationFailure.signatureMismatch) { try verify(d, body: #"{"test": 2432232315}"#) }
        var ed = Array(Data(base64Encoded: String(Delivery.asymmetric.signature.dropFirst(4)))!)
        ed[ed.count - 1] ^= 0x01
        let a = Delivery.asymmetric
        #expect(throws: VerificationFailure.signatureMismatch) {
            try verify(a, headers: a.headers(signature: "v1a," + Data(ed).base64EncodedString()))
        }
    }

    @Test(arguments: ["v1,not base64!", "v1,", "v1", "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", ",", "   ",
                      "v1,g0hM9SsE+OTPJTGt", "v1a,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="])
    func signatureHeaderWithoutAUsableEntry_IsMalformed(signature: String) {
        let d = Delivery.reference
        #expect(throws: VerificationFailure.malformedSignature) { try verify(d, headers: d.headers(signature: signature)) }
    }

    @Test(arguments: ["nan", "1e9", "-1", "+5", "", "1614265330.5", " 1614265330", "0x6037", "1614265330000000", "١٢٣"])
    func timestampThatIsNotPlainDigits_IsRefused(timestamp: String) {
        let d = Delivery.reference
        let expected: VerificationFailure = timestamp.isEmpty ? .missingHeader("webhook-timestamp") : .malformedTimestamp
        #expect(throws: expected) { try verify(d, headers: d.headers(timestamp: timestamp)) }
    }

    @Test func timestampTolerance_IsFiveMinutes_Inclusive() throws {
        let d = Delivery.reference
        #expect(try verify(d, now: d.sentAt + 300).deliveryId == d.id)
        #expect(try verify(d, now: d.sentAt - 300).deliveryId == d.id)
        #expect(try verify(d, now: d.sentAt + 300.9).deliveryId == d.id, "now is taken in whole seconds")
        #expect(throws: VerificationFailure.timestampTooOld) { try verify(d, now: d.sentAt + 301) }
        #expect(throws: VerificationFailure.timestampTooNew) { try verify(d, now: d.sentAt - 301) }
    }

    @Test func timestampIsChecked_BeforeTheSignature() {
        let d = Delivery.reference
        #expect(throws: VerificationFailure.timestampTooOld) {
            try verify(d, headers: d.headers(signature: "v1,AAAA"), now: d.sentAt + 3600)
        }
    }

    @Test func missingOrConflictingHeaders_AreNamed() {
        let d = Delivery.reference
        #expect(throws: VerificationFailure.missingHeader("webhook-id")) {
            try verify(d, headers: [("webhook-timestamp", d.timestamp), ("webhook-signature", d.signature)])
        }
        #expect(throws: VerificationFailure.missingHeader("webhook-signature")) {
            try verify(d, headers: [("webhook-id", d.id), ("webhook-timestamp", d.timestamp)])
        }
        #expect(throws: VerificationFailure.conflictingHeader("webhook-id")) {
            try verify(d, headers: [("webhook-id", d.id), ("Webhook-Id", "msg_other"), ("webhook-timestamp", d.timestamp),
                                    ("webhook-signature", d.signature)])
        }
    }

    @Test func oversizedIdOrSignatureList_IsRefused_BeforeAnyHMAC() {
        let d = Delivery.reference
        #expect(throws: VerificationFailure.oversizedHeader("webhook-id")) {
            try verify(d, headers: [("webhook-id", String(repeating: "m", count: 257)), ("webhook-timestamp", d.timestamp),
                                    ("webhook-signature", d.signature)])
        }
        let long = Array(repeating: d.signature, count: 100).joined(separator: " ")
        #expect(throws: VerificationFailure.oversizedHeader("webhook-signature")) {
            try verify(d, headers: d.headers(signature: long))
        }
    }

    @Test func signatureIsOverTheExactRawBytes() {
        let d = Delivery.reference
        #expect(throws: VerificationFailure.signatureMismatch) { try verify(d, body: #"{"test":2432232314}"#) }
        #expect(throws: VerificationFailure.signatureMismatch) { try verify(d, body: d.body + "\n") }
    }
}
