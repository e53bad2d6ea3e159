import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Checks one source's webhook deliveries. Built once from configuration (where every key is decoded and
/// checked), then used for every request: a pure function of headers, the raw body and the current time.
public struct WebhookVerifier: Sendable {
    public let kind: WebhookScheme.Kind
    private let check: Check

    private enum Check: Sendable {
        case standardWebhooks(StandardWebhooksCheck)
        case hmacSHA256(HubSignatureCheck)
        case token(TokenCheck)
        case none
    }

    public init(_ scheme: WebhookScheme) throws(WebhookConfigurationError) {
        kind = scheme.kind
        switch scheme {
        case .standardWebhooks(let secrets, let tolerance):
            let keys = try Self.each(secrets) { text throws(WebhookConfigurationError) in
                try StandardWebhooksKey(configured: text)
            }
            guard tolerance >= .zero else {
                throw WebhookConfigurationError(index: nil, problem: "the timestamp tolerance must not be negative")
            }
            check = .standardWebhooks(StandardWebhooksCheck(keys: keys, toleranceSeconds: tolerance.components.seconds))
        case .hmacSHA256(let header, let secrets):
            guard !header.isEmpty else {
                throw WebhookConfigurationError(index: nil, problem: "the signature header name must not be empty")
            }
            let keys = try Self.each(secrets) { text throws(WebhookConfigurationError) in
                guard !text.isEmpty else { throw WebhookConfigurationError(index: nil, problem: "the secret is empty") }
                return SymmetricKey(data: Array(text.utf8))
            }
            check = .hmacSHA256(HubSignatureCheck(header: header, secrets: keys))
        case .token(let values):
            _ = try Self.each(values) { text throws(WebhookConfigurationError) in
                guard !text.isEmpty else { throw WebhookConfigurationError(index: nil, problem: "the token is empty") }
            }
            check = .token(TokenCheck(values: values))
        case .none:
            check = .none
        }
    }

    /// Accepts or refuses one delivery. On success, returns the sender's delivery id where the scheme has one
    /// (`webhook-id`), for idempotency; other schemes leave the key to the caller (a provider-derived key or the
    /// SHA-256 of the body).
    public func verify(headers: WebhookHeaders, body: [UInt8], now: Date) throws(VerificationFailure) -> VerifiedDelivery {
        switch check {
        case .standardWebhooks(let check):
            return VerifiedDelivery(deliveryId: try check.verify(headers: headers, body: body, now: now))
        case .hmacSHA256(let check):
            try check.verify(headers: headers, body: body)
        case .token(let check):
            try check.verify(headers: headers)
        case .none:
            break
        }
        return VerifiedDelivery(deliveryId: nil)
    }

    /// Maps every configured secret, naming the failing one by position, and refuses an empty list: a scheme
    /// that checks against nothing would refuse every delivery, which is never what was meant.
    private static func each<T>(
        _ secrets: [String], _ transform: (String) throws(WebhookConfigurationError) -> T
    ) throws(WebhookConfigurationError) -> [T] {
        guard !secrets.isEmpty else { throw WebhookConfigurationError(index: nil, problem: "no secret is configured") }
        var result: [T] = []
        for (index, secret) in secrets.enumerated() {
            do {
                result.append(try transform(secret))
            } catch {
                throw WebhookConfigurationError(index: index, problem: error.problem)
            }
        }
        return result
    }
}

/// What a successful verification established about the delivery.
public struct VerifiedDelivery: Sendable, Equatable {
    /// `webhook-id` (or `svix-id`): the same for every retry of one message.
    public let deliveryId: String?

    public init(deliveryId: String?) { self.deliveryId = deliveryId }
}
