import Foundation
import ScanCore

/// Yandex Cloud Container Registry ScanResults (proto3 JSON), and the registry trigger messages a relay forwards.
///
/// proto3 JSON sends int64 counts as strings and leaves zero values out: a missing severity is 0, and a READY
/// result without `vulnerabilities` has found nothing. `scannedAt` may carry nine fractional digits.
public enum YandexDecoding {
    static let expected = "a Yandex ScanResult {id, imageId, status, ...}, a Container Registry trigger "
        + "{messages: [...]}, or a hint {scanResultId} or {imageId}"

    public static func status(_ raw: String?) -> ScanStatus {
        switch raw?.uppercased() {
        case "RUNNING": .running
        case "READY": .completed
        case "ERROR": .failed
        default: .unknown
        }
    }

    /// A ScanResult, as `GET /scans/{id}` and `GET /images/{id}:lastScanResult` answer and relays forward.
    public static func scanUpdate(fromScanResult body: [UInt8], source: String, via: ScanVia) throws(WebhookDecodeError) -> ScanUpdate {
        let result = try WebhookDecoding.object(body, expected: "a Yandex ScanResult")
        return try update(result, raw: body, source: source, via: via)
    }

    static func decodeWebhook(body: [UInt8], source: String) throws(WebhookDecodeError) -> DecodedWebhook {
        let object = try WebhookDecoding.object(body, expected: expected)
        if let messages = object["messages"] {
            return try trigger(messages)
        }
        if object["id"] != nil || object["status"] != nil {
            return DecodedWebhook(events: [.scan(try update(object, raw: body, source: source, via: .webhook))])
        }
        if object["scanResultId"] != nil || object["imageId"] != nil {
            return DecodedWebhook(events: [.hint(try WebhookDecoding.hint(object, provider: .yandex))])
        }
        throw .malformed("expected \(expected)")
    }

    private static func update(_ result: [String: JSONValue], raw: [UInt8], source: String, via: ScanVia) throws(WebhookDecodeError) -> ScanUpdate {
        let id = try WebhookDecoding.id(result["id"], at: "id")
        let imageId = try WebhookDecoding.id(result["imageId"], at: "imageId")
        let rawStatus = try WebhookDecoding.string(result["status"], at: "status")
        let status = status(rawStatus)
        let scannedAt = WebhookDecoding.time(result["scannedAt"])
        return ScanUpdate(
            source: source, provider: .yandex, upstreamId: id, subject: ScanSubject(imageId: imageId),
            status: status, upstreamStatus: rawStatus, upstreamUpdatedAt: scannedAt,
            completedAt: status.isTerminal ? scannedAt : nil,
            findings: try findings(result["vulnerabilities"], status: status),
            via: via, raw: raw
        )
    }

    /// VulnerabilityStats; `undefined` ("other vulnerabilities") counts as unknown.
    static func findings(_ stats: JSONValue?, status: ScanStatus) throws(WebhookDecodeError) -> Findings? {
        guard let stats, stats != .null else { return status == .completed ? Findings() : nil }
        guard stats.object != nil else { throw .malformed("vulnerabilities must be an object of counts") }
        func count(_ key: String) throws(WebhookDecodeError) -> Int {
            guard let value = stats[key], value != .null else { return 0 }
            guard let count = value.count else { throw .malformed("vulnerabilities.\(key) must be a count") }
            return count
        }
        return Findings(
            critical: try count("critical"), high: try count("high"), medium: try count("medium"),
            low: try count("low"), negligible: try count("negligible"), unknown: try count("undefined"))
    }

    /// A trigger delivery: `CreateImage` starts a watch on the new image (its scan has not begun, its size is
    /// unknown); other registry events are acknowledged and ignored.
    private static func trigger(_ messages: JSONValue) throws(WebhookDecodeError) -> DecodedWebhook {
        guard let messages = messages.array, !messages.isEmpty else {
            throw .malformed("messages must be a non-empty array of trigger messages")
        }
        var events: [WebhookEvent] = []
        var eventIds: [String] = []
        for (index, message) in messages.enumerated() {
            let path = "messages[\(index)]"
            let type = try WebhookDecoding.requiredString(message["event_metadata"]?["event_type"], at: path + ".event_metadata.event_type")
            if let id = try WebhookDecoding.string(message["event_metadata"]?["event_id"], at: path + ".event_metadata.event_id") {
                eventIds.append(id)
            }
            guard type.hasSuffix("CreateImage") else {
                events.append(.ignored(reason: "\(type) events are not acted on"))
                continue
            }
            let imageId = try WebhookDecoding.id(message["details"]?["image_id"], at: path + ".details.image_id")
            let createdAt = WebhookDecoding.time(message["event_metadata"]?["created_at"])
            events.append(.startWatch(.yandexImage(imageId: imageId), imageCreatedAt: createdAt))
        }
        // Delivery is at least once; a redelivery repeats the event ids.
        let key = eventIds.count == messages.count ? "yandex-events:" + eventIds.joined(separator: ",") : nil
        return DecodedWebhook(events: events, deliveryKey: key)
    }
}
