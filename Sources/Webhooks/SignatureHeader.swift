#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The parsed `webhook-signature` header: a space-separated list of `<version>,<base64 signature>` entries.
///
/// Parsing never fails: entries with an unknown version, a missing comma, bad base64 or the wrong length are
/// skipped, so that a sender may add new versions without breaking receivers (and garbage cannot crash us).
struct SignatureHeader: Equatable {
    enum Version: Equatable {
        /// HMAC-SHA256, 32 bytes.
        case v1
        /// Ed25519, 64 bytes.
        case v1a

        var signatureLength: Int {
            switch self {
            case .v1: 32
            case .v1a: 64
            }
        }
    }

    struct Entry: Equatable {
        let version: Version
        let signature: [UInt8]
    }

    /// The senders we know put a handful of entries here (one per active key); more is not a rotation but noise.
    /// (`v1` entries cost nothing extra to check: see `StandardWebhooksCheck.matches`.)
    static let maximumEntries = 16

    let entries: [Entry]

    init(values: [String]) {
        var entries: [Entry] = []
        for var value in values {
            // Read as bytes: splitting a `String` walks grapheme clusters, and each token as a `Substring` compared
            // with the version names cost more than the HMAC's own bookkeeping.
            value.withUTF8 { bytes in
                var start = 0
                while start < bytes.count, entries.count < Self.maximumEntries {
                    var end = start
                    while end < bytes.count, bytes[end] != UInt8(ascii: " "), bytes[end] != UInt8(ascii: "\t") { end += 1 }
                    if end > start, let entry = Self.entry(UnsafeBufferPointer(rebasing: bytes[start..<end])) {
                        entries.append(entry)
                    }
                    start = end + 1
                }
            }
        }
        self.entries = entries
    }

    private static func entry(_ token: UnsafeBufferPointer<UInt8>) -> Entry? {
        guard let comma = token.firstIndex(of: UInt8(ascii: ",")) else { return nil }
        let version: Version
        switch (comma, token[0], token.count > 1 ? token[1] : 0, comma == 3 ? token[2] : 0) {
        case (2, UInt8(ascii: "v"), UInt8(ascii: "1"), _): version = .v1
        case (3, UInt8(ascii: "v"), UInt8(ascii: "1"), UInt8(ascii: "a")): version = .v1a
        default: return nil
        }
        // Padded base64 of a fixed length has exactly one spelling length; Foundation alone would accept extra `=`.
        let encoded = UnsafeBufferPointer(rebasing: token[(comma + 1)...])
        guard encoded.count == (version.signatureLength + 2) / 3 * 4,
              let data = Data(base64Encoded: String(decoding: encoded, as: UTF8.self)),
              data.count == version.signatureLength
        else { return nil }
        return Entry(version: version, signature: Array(data))
    }
}
