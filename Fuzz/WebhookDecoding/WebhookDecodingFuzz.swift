// libFuzzer entry point for the webhook payload decoders, compiled by scripts/fuzz.sh into one module with
// Sources/Providers/ScanRef.swift and Sources/Providers/Decoding (ScanCore built as its own module).
//
// The first byte picks the entry point (each provider's webhook decoder, then the functions the poller calls),
// the rest is the body. Decoding may refuse a body but must never trap, and whatever it accepts must be a usable
// scan: non-empty ids, the receiving source, raw bytes that are strict JSON, a bounded number of events.
// The JSON parser is checked differentially: what it accepts Foundation (a lenient superset) must accept too, and
// a parsed value must survive re-encoding unchanged.
import Foundation
import ScanCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWebhookDecoding(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let body = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let source = "fuzz"
    if let value = JSONValue.parse(body) {
        precondition((try? JSONSerialization.jsonObject(with: Data(body), options: .fragmentsAllowed)) != nil,
                     "accepted what Foundation refuses")
        precondition(JSONValue.parse(value.serialized) == value, "value changed when re-encoded")
    }
    do throws(WebhookDecodeError) {
        switch data[0] % 9 {
        case let index where Int(index) < Provider.allCases.count:
            let decoded = try WebhookDecoding.decode(provider: Provider.allCases[Int(index)], body: body, source: source)
            precondition(decoded.events.count <= WebhookDecoding.maximumEvents, "too many events")
            for case .scan(let update) in decoded.events { check(update, source: source) }
        case 5:
            check(try BinarlyDecoding.scanUpdate(fromGetScan: body, productId: "p", imageId: "i", source: source, via: .poll), source: source)
        case 6:
            for update in try BinarlyDecoding.scanUpdates(fromListScans: body, source: source, via: .poll) { check(update, source: source) }
        case 7:
            check(try YandexDecoding.scanUpdate(fromScanResult: body, source: source, via: .poll), source: source)
        default:
            check(try OpsMxDecoding.scanUpdate(fromFiledata: body, projectId: "p", type: "t", scanId: "s", source: source, via: .poll), source: source)
        }
    } catch {
        precondition(error.status == 400 || error.status == 422, "unexpected status \(error.status)")
        precondition(!error.detail.isEmpty, "an error must say what was expected")
    }
    return 0
}

private func check(_ update: ScanUpdate, source: String) {
    precondition(update.source == source, "the receiving source must own the scan")
    precondition(!update.upstreamId.isEmpty && !update.subject.imageId.isEmpty, "empty id")
    precondition(JSONValue.parse(update.raw) != nil, "raw must be strict JSON: it is served verbatim")
    if let findings = update.findings {
        precondition([findings.critical, findings.high, findings.medium, findings.low, findings.negligible, findings.unknown]
            .allSatisfy { $0 >= 0 }, "negative count")
    }
}
