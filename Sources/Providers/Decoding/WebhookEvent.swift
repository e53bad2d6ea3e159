import Foundation
import ScanCore

/// What a webhook body asks ScanRelay to do, as a provider decoder reads it.
public enum WebhookEvent: Sendable, Hashable {
    /// A full scan state to merge into the cache (`via: .webhook`).
    case scan(ScanUpdate)
    /// Re-fetch this upstream state now. Needs a source with an `upstream`; the caller answers `422` otherwise.
    case hint(ScanRef)
    /// Start watching (Yandex `CreateImage`): the image is new, its scan has not started, its size is unknown (so
    /// the unknown-size schedule applies). `imageCreatedAt` is when the registry says the image was created: a scan
    /// result from then on is this image's, however late the trigger was relayed.
    case startWatch(ScanRef, imageCreatedAt: Date?)
    /// A well-formed event ScanRelay does not act on: acknowledged `202` and counted, never rejected.
    case ignored(reason: String)
}

/// A decoded webhook body: its events, in body order, and the delivery key the provider's payload implies.
public struct DecodedWebhook: Sendable, Hashable {
    public var events: [WebhookEvent]
    /// A provider-derived idempotency key (Harbor: the CloudEvents `id`, else event type, time, digests, scan type and
    /// report ids; a Yandex trigger: its event ids),
    /// for schemes without `webhook-id`. Nil where the payload has none: the caller then uses the body's SHA-256.
    public var deliveryKey: String?

    public init(events: [WebhookEvent], deliveryKey: String? = nil) {
        self.events = events
        self.deliveryKey = deliveryKey
    }
}

/// Why a body cannot be used: `400` when it is not an event of this provider, `422` when it is one but cannot
/// be acted on. `detail` says what was expected and is safe to return in a problem body.
public struct WebhookDecodeError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case malformed
        case unprocessable
    }

    public let kind: Kind
    public let detail: String

    public init(_ kind: Kind, _ detail: String) {
        self.kind = kind
        self.detail = detail
    }

    public static func malformed(_ detail: String) -> Self { Self(.malformed, detail) }
    public static func unprocessable(_ detail: String) -> Self { Self(.unprocessable, detail) }

    /// The HTTP status a webhook answer uses.
    public var status: Int { kind == .malformed ? 400 : 422 }

    public var description: String { detail }
}
