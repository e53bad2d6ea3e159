import Foundation
import Webhooks

/// Reader of a source's `webhook` section: the verification scheme and the secrets or tokens it needs.
extension ConfigurationLoader {
    func readWebhook(_ section: ConfigMapping) -> WebhookSettings? {
        defer { section.finish() }
        let schemes = WebhookSettings.Verification.allCases.map(\.rawValue).joined(separator: ", ")
        let verify = section.choice("verify", of: WebhookSettings.Verification.self)
        if !section.contains("verify") { section.reportMissing("verify", "one of \(schemes)") }
        let secrets = readList(section, single: "secret", plural: "secrets")
        let tokens = readList(section, single: "token", plural: "tokens")
        let header = section.string("header")
        guard let verify else { return nil }

        var valid = true
        func reject(_ key: String, _ message: String) {
            section.report(message, key: key)
            valid = false
        }
        let needsSecrets = verify == .standardWebhooks || verify == .hmacSHA256
        if needsSecrets, secrets.isEmpty {
            if !["secret", "secretFile", "secrets"].contains(where: section.contains) {
                section.reportMissing("secret", "verify: \(verify.rawValue) needs a signing secret (secret, secretFile or secrets)")
            }
            valid = false
        }
        if !needsSecrets, let key = ["secret", "secretFile", "secrets"].first(where: section.contains) {
            reject(key, "does not apply to verify: \(verify.rawValue); remove it")
        }
        if verify == .token, tokens.isEmpty, !["token", "tokenFile", "tokens"].contains(where: section.contains) {
            section.reportMissing("token", "verify: token needs the expected Authorization value (token, tokenFile or tokens)")
            valid = false
        }
        if verify != .token, let key = ["token", "tokenFile", "tokens"].first(where: section.contains) {
            reject(key, "does not apply to verify: \(verify.rawValue); remove it")
        }
        if header != nil, verify != .hmacSHA256 {
            reject("header", "applies only to verify: hmac-sha256; remove it")
        } else if let header, !HeaderName.isValid(header) {
            reject("header", "\"\(header)\" is not a header name; use letters, digits and '-', e.g. X-Hub-Signature-256")
        }
        if verify == .standardWebhooks {
            for secret in secrets where !secret.value.isEmpty {
                if let problem = WebhookScheme.standardWebhooksKeyProblem(secret.value) {
                    reject(secret.key, "is not a Standard Webhooks key (\(problem)); expected whsec_ + base64 (or bare base64) as the sender shows it, or whpk_ + base64 for v1a")
                }
            }
        }
        for secret in secrets where secret.value.isEmpty { reject(secret.key, "is empty; an empty secret would accept forgeries") }
        for token in tokens where token.value.isEmpty { reject(token.key, "is empty; an empty token would accept anyone") }
        guard valid else { return nil }
        return WebhookSettings(
            verify: verify,
            secrets: secrets.map(\.value),
            header: header ?? WebhookSettings.defaultSignatureHeader,
            tokens: tokens.map(\.value)
        )
    }

    /// `single`, `singleFile` and the list `plural`, together; each value with the key (or list item) it came from.
    private func readList(_ section: ConfigMapping, single: String, plural: String) -> [(key: String, value: String)] {
        var values: [(key: String, value: String)] = []
        if let value = section.string(single) {
            values.append((section.contains(single) ? single : single + "File", value))
        }
        if let list = section.strings(plural) {
            values += list.enumerated().map { ("\(plural)[\($0)]", $1) }
        }
        return values
    }
}
