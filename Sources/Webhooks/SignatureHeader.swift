import Foundation

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
        for value in values {
            // Split as bytes: splitting a `String` walks grapheme clusters, which cost more than the HMAC.
            for token in value.utf8.split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) {
                guard entries.count < Self.maximumEntries else { break }
                if let entry = Self.entry(Substring(token)) { entries.append(entry) }
            }
        }
        self.entries = entries
    }

    private static func entry(_ token: Substring) -> Entry? {
        guard let comma = token.firstIndex(of: ",") else { return nil }
        let version: Version
        switch token[..<comma] {
        case "v1": version = .v1
        case "v1a": version = .v1a
        default: return nil
        }
        // Padded base64 of a fixed length has exactly one spelling length; Foundation alone would accept extra `=`.
        let encoded = token[token.index(after: comma)...]
        guard encoded.utf8.count == (version.signatureLength + 2) / 3 * 4,
              let data = Data(base64Encoded: String(encoded)), data.count == version.signatureLength
        else { return nil }
        return Entry(version: version, signature: Array(data))
    }
}
