#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `webhook-timestamp`: integer seconds since the Unix epoch, as plain ASCII digits.
///
/// Deliberately not a number parser: `nan`, `1e9`, `-1`, `+5`, `0x10`, spaces and fractions are all refused
/// (a float parse of `nan` is how other receivers crashed or accepted anything).
enum WebhookTimestamp {
    /// Twelve digits reach the year 33658; anything longer is not a timestamp.
    static let maximumDigits = 12

    static func parse(_ text: String) -> Int64? {
        let digits = text.utf8
        guard (1...maximumDigits).contains(digits.count) else { return nil }
        var value: Int64 = 0
        for byte in digits {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            value = value * 10 + Int64(byte - 0x30)
        }
        return value
    }

    /// Whether `timestamp` lies within `tolerance` seconds of `now`, both ends inclusive.
    /// `now` is truncated to whole seconds, as senders do when they stamp a delivery.
    static func check(_ timestamp: Int64, now: Date, tolerance: Int64) throws(VerificationFailure) {
        let nowSeconds = Int64(now.timeIntervalSince1970.rounded(.down))
        if timestamp < nowSeconds - tolerance { throw .timestampTooOld }
        if timestamp > nowSeconds + tolerance { throw .timestampTooNew }
    }
}
