import Foundation
import ProviderFixtures
import Providers
import ScanCore

/// Payloads shaped exactly like the upstream documents (the shared `ProviderFixtures`), decoded.
enum Fixture {
    /// Every fixture's name, without `.json`.
    static var names: [String] { ProviderFixtures.names }

    static func bytes(_ name: String) -> [UInt8] {
        do {
            return try ProviderFixtures.bytes(name)
        } catch {
            preconditionFailure("\(error)")
        }
    }

    static func decode(_ provider: Provider, _ name: String, source: String = "src") throws -> DecodedWebhook {
        try WebhookDecoding.decode(provider: provider, body: bytes(name), source: source)
    }

    static func decode(_ provider: Provider, json: String, source: String = "src") throws -> DecodedWebhook {
        try WebhookDecoding.decode(provider: provider, body: Array(json.utf8), source: source)
    }

    /// The single scan update a body decodes to.
    static func scan(_ provider: Provider, _ name: String) throws -> ScanUpdate {
        try only(decode(provider, name))
    }

    static func scan(_ provider: Provider, json: String) throws -> ScanUpdate {
        try only(decode(provider, json: json))
    }

    private static func only(_ decoded: DecodedWebhook) throws -> ScanUpdate {
        guard decoded.events.count == 1, case .scan(let update) = decoded.events[0] else {
            throw Unexpected(events: decoded.events)
        }
        return update
    }

    struct Unexpected: Error {
        let events: [WebhookEvent]
    }
}

func date(_ text: String) -> Date { RFC3339.parse(text)! }
