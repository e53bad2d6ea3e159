import Foundation
import Providers
import ScanCore

/// Payloads shaped exactly like the upstream documents (see `Fixtures/`).
enum Fixture {
    /// Every fixture's name, without `.json`.
    static var names: [String] {
        let directory = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
        let files = try! FileManager.default.contentsOfDirectory(atPath: directory.path)
        return files.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    static func bytes(_ name: String) -> [UInt8] {
        let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures")!
        return Array(try! Data(contentsOf: url))
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
