import Foundation
@testable import Webhooks

/// Known-good deliveries. The first is the example every Standard Webhooks reference library tests against
/// (recomputed here with Python's `hmac`: it matches); the others were generated with Python's `hmac`/`base64`
/// and `cryptography` (Ed25519) and are hard-coded so the tests need nothing at run time.
struct Delivery {
    let id: String
    let timestamp: String
    let body: String
    let signature: String
    let key: String

    var sentAt: Date { Date(timeIntervalSince1970: TimeInterval(Int64(timestamp)!)) }

    func headers(signature: String? = nil, timestamp: String? = nil, prefix: String = "webhook-") -> WebhookHeaders {
        [
            (prefix + "id", id),
            (prefix + "timestamp", timestamp ?? self.timestamp),
            (prefix + "signature", signature ?? self.signature),
        ]
    }

    static let reference = Delivery(
        id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
        timestamp: "1614265330",
        body: #"{"test": 2432232314}"#,
        signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        key: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    )

    static let generated = Delivery(
        id: "msg_2Lq8ZkYhXQ7f3JbVn1cR9tWpEa",
        timestamp: "1763900000",
        body: #"{"type":"scan.completed","data":{"upstreamId":"01JZ30CYZY52F5BPR3AAJ2DP89"}}"#,
        signature: "v1,wy0rLu+Z1xwo+VDgHk939FO7ABT7bSx192uMAwLEekc=",
        key: "whsec_IKbVl5OwLtShd7mBbU/viEd4hZlfBgtdTw48sG+PX8Q="
    )

    /// Ed25519 (`v1a`) over the same body, verified with the public key below.
    static let asymmetric = Delivery(
        id: "msg_v1a9Xk3Qe7Lw2Rt5Yz8Bn4Mc6D",
        timestamp: "1763900042",
        body: generated.body,
        signature: "v1a,kAHFGsCtqn49U4LEyqnewnnfBOerJT1/+g0TDL814czWqNSs+XTKwOGUSBvQPIyEX1egOWazRLLO2SJWsOPXBw==",
        key: "whpk_37cwoJpNEqqaRGs7jOn898sPsyPYtqjfs+UhlVPtgFg="
    )

    /// The secret key of `asymmetric.key`, as the 32-byte seed and as seed followed by the public key.
    static let ed25519Seed = "whsk_sE2EnuycQxP+Zxq+Sd8DbhDUyKDbseunmtK6CbBDj0g="
    static let ed25519SeedAndPublic =
        "whsk_sE2EnuycQxP+Zxq+Sd8DbhDUyKDbseunmtK6CbBDj0jftzCgmk0SqppEazuM6fz3yw+zI9i2qN+z5SGVU+2AWA=="
}

extension WebhookVerifier {
    static func standard(_ keys: String...) throws -> WebhookVerifier {
        try WebhookVerifier(.standardWebhooks(secrets: keys))
    }
}
