/// Whether a `Content-Type` declares JSON: `application/json` or any `application/*+json`, parameters ignored.
enum WebhookContentType {
    static func isJSON(_ value: String?) -> Bool {
        guard let value else { return false }
        // Split as bytes: splitting a `String` walks grapheme clusters, which cost more than the rest of the check.
        let mediaType = value.utf8.split(separator: UInt8(ascii: ";"), maxSplits: 1).first
            .map { Substring($0).trimmingASCIISpaces().lowercased() } ?? ""
        guard mediaType.hasPrefix("application/") else { return false }
        let subtype = mediaType.dropFirst("application/".count)
        return subtype == "json" || (subtype.hasSuffix("+json") && subtype.count > "+json".count && !subtype.contains("/"))
    }
}
