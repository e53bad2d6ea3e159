// libFuzzer entry point for the Standard Webhooks header parsing, compiled by scripts/fuzz.sh into one module with
// the Crypto-free files of Sources/Webhooks (SignatureHeader, WebhookTimestamp, WebhookHeaders, VerificationFailure).
//
// The input is lines: the first is a `webhook-timestamp`, the rest are `webhook-signature` values. Parsing must
// never trap, keep only well-formed entries of a known version and length, and accept a timestamp only when it
// is plain ASCII digits.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSignatureHeader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let timestampText = lines.first ?? ""
    let signatures = Array(lines.dropFirst())

    if let timestamp = WebhookTimestamp.parse(timestampText) {
        precondition(timestampText.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }, "accepted a non-digit timestamp")
        precondition(timestamp >= 0 && timestampText.utf8.count <= WebhookTimestamp.maximumDigits)
        for now in [0.0, 1_614_265_330, 1e12] {
            _ = try? WebhookTimestamp.check(timestamp, now: Date(timeIntervalSince1970: now), tolerance: 300)
        }
    }

    let header = SignatureHeader(values: signatures)
    precondition(header.entries.count <= SignatureHeader.maximumEntries, "entry cap exceeded")
    for entry in header.entries {
        precondition(entry.signature.count == entry.version.signatureLength, "wrong signature length kept")
    }

    let headers = WebhookHeaders(signatures.map { ("webhook-signature", $0) } + [("webhook-timestamp", timestampText)])
    if case .value(let value) = headers.single("WEBHOOK-SIGNATURE") {
        precondition(signatures.allSatisfy { $0 == value }, "single() hid a conflicting value")
    }
    return 0
}
