import Foundation
import ScanCore

/// Decodes a webhook body for the provider of the receiving source. Pure: bytes in, events out.
///
/// Which shape a body has is told by its keys, never by its `Content-Type` (Harbor's CloudEvents arrive as
/// `application/cloudevents+json`, relays often send plain `application/json`); the HTTP layer has already
/// checked that the type is JSON.
public enum WebhookDecoding {
    /// One body carries at most this many scans (a Binarly list, Harbor resources, Yandex trigger messages).
    public static let maximumEvents = 1000

    public static func decode(provider: Provider, body: [UInt8], source: String) throws(WebhookDecodeError) -> DecodedWebhook {
        let decoded: DecodedWebhook
        switch provider {
        case .binarly: decoded = try BinarlyDecoding.decodeWebhook(body: body, source: source)
        case .yandex: decoded = try YandexDecoding.decodeWebhook(body: body, source: source)
        case .opsmx: decoded = try OpsMxDecoding.decodeWebhook(body: body, source: source)
        case .harbor: decoded = try HarborDecoding.decodeWebhook(body: body, source: source)
        case .scanrelay: decoded = try ScanRelayDecoding.decodeWebhook(body: body, source: source)
        }
        guard decoded.events.count <= maximumEvents else {
            throw .unprocessable("the body carries \(decoded.events.count) events; at most \(maximumEvents) are accepted")
        }
        // Whatever the provider, the ids a scan is filed under become part of scan ids, URLs and log lines.
        for case .scan(let update) in decoded.events {
            _ = try printableId(update.upstreamId, at: "upstreamId")
            _ = try printableId(update.subject.imageId, at: "subject.imageId", maximumBytes: maximumImageIdBytes)
        }
        return decoded
    }

    /// Image ids name a repository and a digest (`<project>/<repo>@sha256:<64 hex>`): longer than scan ids.
    static let maximumImageIdBytes = 1024

    /// An id taken from a payload that is stored and shown but never put into an upstream URL as it is (a relayed
    /// `upstreamId` may hold `/`, as OpsMx's `<projectId>/<type>/<scanId>` does): non-empty, bounded, and free of
    /// the controls and line separators that would forge a log line or rewrite a terminal.
    static func printableId(
        _ id: String, at path: String, maximumBytes: Int = ScanRef.maximumIdLength
    ) throws(WebhookDecodeError) -> String {
        guard !id.isEmpty else { throw .malformed("\(path) must not be empty") }
        guard id.utf8.count <= maximumBytes else { throw .malformed("\(path) is longer than \(maximumBytes) bytes") }
        guard !id.unicodeScalars.contains(where: isControlOrSeparator) else {
            throw .malformed("\(path) must be printable: no control characters or line separators")
        }
        return id
    }

    private static func isControlOrSeparator(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029: true
        default: false
        }
    }

    /// The body as a JSON object, or a `400` that says which payloads this provider accepts.
    static func object(_ body: [UInt8], expected: String) throws(WebhookDecodeError) -> [String: JSONValue] {
        guard let object = JSONValue.parse(body)?.object else {
            throw .malformed("expected a JSON object: \(expected)")
        }
        return object
    }

    /// A hint body: exactly a watch `ref` of this provider (`{productId, imageId, scanId?}` and the like).
    static func hint(_ object: [String: JSONValue], provider: Provider) throws(WebhookDecodeError) -> ScanRef {
        var fields: [String: String] = [:]
        for (key, value) in object {
            guard case .string(let text) = value else { throw .malformed("\(key) must be a string") }
            fields[key] = text
        }
        do {
            return try ScanRef(provider: provider, fields: fields)
        } catch {
            throw .malformed(error.description)
        }
    }

    /// An optional string field: absent and `null` are nil, anything but a string is a `400` naming the path.
    static func string(_ value: JSONValue?, at path: String) throws(WebhookDecodeError) -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?: return text.isEmpty ? nil : text
        default: throw .malformed("\(path) must be a string")
        }
    }

    static func requiredString(_ value: JSONValue?, at path: String) throws(WebhookDecodeError) -> String {
        guard let text = try string(value, at: path) else { throw .malformed("\(path) is required") }
        return text
    }

    /// A required id that may later travel into an upstream URL (a re-fetch): validated as a watch ref's ids are.
    static func id(_ value: JSONValue?, at path: String) throws(WebhookDecodeError) -> String {
        try checkedId(requiredString(value, at: path), at: path)
    }

    static func checkedId(_ id: String, at path: String) throws(WebhookDecodeError) -> String {
        do {
            try ScanRef.validate(id, field: path)
        } catch {
            throw .malformed(error.description)
        }
        return id
    }

    /// An optional RFC 3339 time. A malformed time is dropped rather than refused: times order updates but
    /// never decide whether a scan exists. So is Go's zero time (`0001-01-01T00:00:00Z`), which Harbor sends for
    /// "not yet": any time before 1970 means that.
    static func time(_ value: JSONValue?) -> Date? {
        guard let date = value?.string.flatMap(RFC3339.parse), date.timeIntervalSince1970 > 0 else { return nil }
        return date
    }
}
