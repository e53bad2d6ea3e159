import Foundation
import ScanCore

/// Binarly API v4 scan resources, for webhooks and for the poller.
///
/// Binarly's docs and its OpenAPI spec disagree; both are read: state `type` from either vocabulary
/// (`in_progress|completed|failed|cancelled|no_scans|status_unavailable` or `new|running|failed|done|cancelled`),
/// the state's time from `updateTime` or `createTime`, and `author` (unused) as a string or an object.
public enum BinarlyDecoding {
    static let expected = "a Binarly scan resource (Get Scan), a List Scans response with productId and imageId, "
        + "or a hint {productId, imageId, scanId?}"

    /// Maps `latestScanState.type`; anything not in either vocabulary (and a missing state) is `unknown`.
    public static func status(_ raw: String?) -> ScanStatus {
        switch raw?.lowercased() {
        case "new": .queued
        case "running", "in_progress": .running
        case "done", "completed": .completed
        case "failed": .failed
        case "cancelled", "canceled": .cancelled
        case "no_scans": .notFound
        default: .unknown
        }
    }

    /// A Get Scan response. `productId`/`imageId` are taken from the resource's `parent`
    /// (`products/{p}/images/{i}`) when it has one, else from the arguments (the poller knows them from its URL).
    public static func scanUpdate(
        fromGetScan body: [UInt8], productId: String? = nil, imageId: String? = nil, source: String, via: ScanVia
    ) throws(WebhookDecodeError) -> ScanUpdate {
        let scan = try WebhookDecoding.object(body, expected: "a Binarly Get Scan resource")
        return try update(.object(scan), raw: body, productId: productId, imageId: imageId, source: source, via: via)
    }

    /// A List Scans response (`{"scans": [...]}`), newest first as Binarly lists them. The response does not say
    /// which image it lists, so `productId`/`imageId` come from each scan's `parent`, else from the body's own
    /// `productId`/`imageId` keys (a relay adds them), else from the arguments.
    public static func scanUpdates(
        fromListScans body: [UInt8], productId: String? = nil, imageId: String? = nil, source: String, via: ScanVia
    ) throws(WebhookDecodeError) -> [ScanUpdate] {
        let list = try WebhookDecoding.object(body, expected: "a Binarly List Scans response {\"scans\": [...]}")
        return try updates(list: list, productId: productId, imageId: imageId, source: source, via: via)
    }

    static func decodeWebhook(body: [UInt8], source: String) throws(WebhookDecodeError) -> DecodedWebhook {
        let object = try WebhookDecoding.object(body, expected: expected)
        if object["scans"] != nil {
            let scans = try updates(list: object, productId: nil, imageId: nil, source: source, via: .webhook)
            if scans.isEmpty { return DecodedWebhook(events: [.ignored(reason: "the scan list is empty")]) }
            return DecodedWebhook(events: scans.map(WebhookEvent.scan))
        }
        if object["latestScanState"] != nil || object["parent"] != nil || object["id"] != nil {
            let scan = try update(.object(object), raw: body, productId: nil, imageId: nil, source: source, via: .webhook)
            return DecodedWebhook(events: [.scan(scan)])
        }
        if object["productId"] != nil || object["imageId"] != nil {
            return DecodedWebhook(events: [.hint(try WebhookDecoding.hint(object, provider: .binarly))])
        }
        throw .malformed("expected \(expected)")
    }

    private static func updates(
        list: [String: JSONValue], productId: String?, imageId: String?, source: String, via: ScanVia
    ) throws(WebhookDecodeError) -> [ScanUpdate] {
        guard let scans = list["scans"]?.array else { throw .malformed("scans must be an array of scan resources") }
        let productId = try WebhookDecoding.string(list["productId"], at: "productId") ?? productId
        let imageId = try WebhookDecoding.string(list["imageId"], at: "imageId") ?? imageId
        var updates: [ScanUpdate] = []
        for (index, scan) in scans.enumerated() {
            guard scan.object != nil else { throw .malformed("scans[\(index)] must be a scan resource object") }
            updates.append(try update(scan, raw: scan.serialized, productId: productId, imageId: imageId, source: source, via: via,
                                      path: "scans[\(index)]."))
        }
        return updates
    }

    private static func update(
        _ scan: JSONValue, raw: [UInt8], productId: String?, imageId: String?, source: String, via: ScanVia,
        path: String = ""
    ) throws(WebhookDecodeError) -> ScanUpdate {
        let id = try WebhookDecoding.id(scan["id"], at: path + "id")
        let parent = try WebhookDecoding.string(scan["parent"], at: path + "parent").flatMap(Self.parent)
        guard var product = parent?.productId ?? productId, var image = parent?.imageId ?? imageId else {
            throw .malformed(
                "\(path)parent (products/{productId}/images/{imageId}) is required to know which image was scanned")
        }
        product = try WebhookDecoding.checkedId(product, at: path + "productId")
        image = try WebhookDecoding.checkedId(image, at: path + "imageId")
        let state = scan["latestScanState"]
        if state != nil, state?.object == nil, state != .null {
            throw .malformed("\(path)latestScanState must be an object")
        }
        let stateType = try WebhookDecoding.string(state?["type"], at: path + "latestScanState.type")
        let status = status(stateType)
        let createdAt = WebhookDecoding.time(scan["createTime"])
        let stateTime = WebhookDecoding.time(state?["updateTime"]) ?? WebhookDecoding.time(state?["createTime"])
        return ScanUpdate(
            source: source, provider: .binarly, upstreamId: id,
            subject: ScanSubject(imageId: image, productId: product),
            status: status, upstreamStatus: stateType,
            upstreamCreatedAt: createdAt, upstreamUpdatedAt: stateTime ?? createdAt,
            completedAt: status.isTerminal ? stateTime : nil,
            via: via, raw: raw
        )
    }

    /// `products/{productId}/images/{imageId}`, the resource name of the scanned image.
    static func parent(_ path: String) -> (productId: String, imageId: String)? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "products", parts[2] == "images", !parts[1].isEmpty, !parts[3].isEmpty
        else { return nil }
        return (String(parts[1]), String(parts[3]))
    }
}
