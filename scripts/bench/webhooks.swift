// Per-operation CPU cost of the webhook path's pure parts: signature checks over a 2 KiB body, delivery-key
// claims, and each provider's decoder on its documented payload. Built and run by webhooks.sh. Times are this
// thread's CPU time, so a busy machine does not inflate them (much).
import Foundation
import Glibc
import Providers
import ScanCore
import Webhooks

/// CPU time of `body` on this thread, per repetition.
func cpuTime(_ repetitions: Int, _ body: () throws -> Void) rethrows -> String {
    func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
    let start = now()
    for _ in 0..<repetitions { try body() }
    let each = (now() - start) / Double(repetitions)
    return each >= 1e-3 ? String(format: "%.2f ms", each * 1e3) : String(format: "%.2f µs", each * 1e6)
}

func row(_ name: String, _ figure: String) { print(name.padding(toLength: 58, withPad: " ", startingAt: 0), figure) }

let body = Array(repeating: UInt8(ascii: "x"), count: 2048)
let now = Date(timeIntervalSince1970: 1_763_900_000)
let secret = "whsec_IKbVl5OwLtShd7mBbU/viEd4hZlfBgtdTw48sG+PX8Q="
let edSecret = "whsk_sE2EnuycQxP+Zxq+Sd8DbhDUyKDbseunmtK6CbBDj0g="
let edPublic = "whpk_37cwoJpNEqqaRGs7jOn898sPsyPYtqjfs+UhlVPtgFg="

func standardHeaders(_ key: String) throws -> WebhookHeaders {
    let signature = try WebhookSigner.standardWebhooksSignature(id: "msg_bench", timestamp: 1_763_900_000, body: body, secret: key)
    return [("webhook-id", "msg_bench"), ("webhook-timestamp", "1763900000"), ("webhook-signature", signature)]
}

let v1 = try WebhookVerifier(.standardWebhooks(secrets: [secret]))
let v1Headers = try standardHeaders(secret)
row("standard-webhooks v1 verify, 2 KiB body", try cpuTime(20_000) { _ = try v1.verify(headers: v1Headers, body: body, now: now) })
let rotated = try WebhookVerifier(.standardWebhooks(secrets: [edPublic, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", secret]))
row("standard-webhooks v1 verify, 3 keys, match last", try cpuTime(20_000) { _ = try rotated.verify(headers: v1Headers, body: body, now: now) })
let v1a = try WebhookVerifier(.standardWebhooks(secrets: [edPublic]))
let v1aHeaders = try standardHeaders(edSecret)
row("standard-webhooks v1a (Ed25519) verify, 2 KiB body", try cpuTime(5_000) { _ = try v1a.verify(headers: v1aHeaders, body: body, now: now) })
let hub = try WebhookVerifier(.hmacSHA256(secrets: ["It's a Secret to Everybody"]))
let hubHeaders: WebhookHeaders = [("X-Hub-Signature-256", WebhookSigner.hubSignature(body: body, secret: "It's a Secret to Everybody"))]
row("hmac-sha256 verify, 2 KiB body", try cpuTime(20_000) { _ = try hub.verify(headers: hubHeaders, body: body, now: now) })
let token = try WebhookVerifier(.token(values: ["Basic aGFyYm9yOnMzY3JldA==", "Bearer next"]))
let tokenHeaders: WebhookHeaders = [("Authorization", "Bearer next")]
row("token verify, 2 configured values", try cpuTime(50_000) { _ = try token.verify(headers: tokenHeaders, body: body, now: now) })

let ledger = DeliveryLedger()
var counter = 0
row("ledger claim, new key (ledger grows to 100k)", cpuTime(100_000) {
    counter += 1
    _ = ledger.claim("bench:\(counter)", now: now)
})
row("ledger claim, duplicate key", cpuTime(100_000) { _ = ledger.claim("bench:1", now: now) })
row("delivery key from body SHA-256, 2 KiB", cpuTime(50_000) {
    _ = DeliveryKey.make(source: "s", deliveryId: nil, payloadKey: nil, body: body)
})

let fixtures = URL(fileURLWithPath: CommandLine.arguments[1])
for (provider, name) in [(Provider.binarly, "binarly-get-scan-spec"), (.yandex, "yandex-scan-result"), (.opsmx, "opsmx-webhook"),
                         (.harbor, "harbor-default-scanning-completed"), (.harbor, "harbor-cloudevents-completed"),
                         (.scanrelay, "scanrelay-scan-completed")] {
    let payload = Array(try Data(contentsOf: fixtures.appendingPathComponent(name + ".json")))
    row("decode \(name) (\(payload.count) B)", try cpuTime(5_000) {
        _ = try WebhookDecoding.decode(provider: provider, body: payload, source: "s")
    })
}
