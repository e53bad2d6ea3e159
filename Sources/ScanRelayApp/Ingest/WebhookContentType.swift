/// Whether a `Content-Type` declares JSON: `application/json` or any `application/*+json`, parameters ignored.
enum WebhookContentType {
    static func isJSON(_ value: String?) -> Bool {
        guard let value else { return false }
        let mediaType = value.split(separator: ";", maxSplits: 1).first.map { $0.trimmingASCIISpaces().lowercased() } ?? ""
        guard mediaType.hasPrefix("application/") else { return false }
        let subtype = mediaType.dropFirst("application/".count)
        return subtype == "json" || (subtype.hasSuffix("+json") && subtype.count > "+json".count && !subtype.contains("/"))
    }
}
