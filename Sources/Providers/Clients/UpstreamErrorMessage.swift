import Foundation

/// Extracts the human message from an upstream's error body, so `lastError` says what the scanner said.
///
/// The documented shapes: Binarly `{"message", "details": [{"reason", ...}]}`, Yandex `{"code", "message"}`,
/// OpsMx `{"error"}`, OAuth2 token endpoints `{"error", "error_description"}`. A body in none of them yields its
/// start as text. The result is bounded and free of control characters (it ends up in logs and JSON).
enum UpstreamErrorMessage {
    static let maxLength = 300

    static func from(_ body: Data) -> String? {
        if let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] {
            if let message = documentedMessage(object) { return clean(message) }
        }
        let text = String(decoding: body.prefix(maxLength), as: UTF8.self)
        return text.isEmpty ? nil : clean(text)
    }

    private static func documentedMessage(_ object: [String: Any]) -> String? {
        let message = (object["message"] as? String) ?? (object["error_description"] as? String)
            ?? (object["error"] as? String)
        guard let message, !message.isEmpty else { return nil }
        let reasons = (object["details"] as? [[String: Any]] ?? []).compactMap { $0["reason"] as? String }
        return reasons.isEmpty ? message : "\(message) (\(reasons.joined(separator: ", ")))"
    }

    private static func clean(_ text: String) -> String? {
        let scalars = text.unicodeScalars.map { CharacterSet.controlCharacters.contains($0) ? " " : Character($0) }
        let cleaned = String(scalars.prefix(maxLength)).trimmingCharacters(in: .whitespaces)
        return cleaned.isEmpty ? nil : cleaned
    }
}
