// Hummingbird 2 version of ScanRelay's benchmarked endpoints:
//   GET /healthz, GET /v1/scans/{id}, POST /v1/webhooks/{source} (Standard Webhooks, JSON decode, store).
// Usage: HBBench <port> <seeded scans> <source name> <whsec_ secret>
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Synchronization

let arguments = CommandLine.arguments
guard arguments.count == 5, let port = Int(arguments[1]), let seeded = Int(arguments[2]),
      let verifier = StandardWebhooks(secret: arguments[4]) else {
    FileHandle.standardError.write(Data("usage: HBBench <port> <seeded scans> <source> <whsec_ secret>\n".utf8))
    exit(64)
}
let sourceName = arguments[3]

/// The in-memory cache and the delivery ids seen (a repeated id is acknowledged as a duplicate, as ScanRelay does).
final class Store: Sendable {
    struct State {
        var scans: [String: BenchScan] = [:]
        var deliveries: Set<String> = []
    }

    let state = Mutex(State())
}

let store = Store()
store.state.withLock { state in
    state.scans.reserveCapacity(seeded)
    for index in 0..<seeded {
        let scan = BenchScan.seeded(index, source: sourceName)
        state.scans[scan.id] = scan
    }
}

let jsonHeaders: HTTPFields = [.contentType: "application/json"]
let webhookId = HTTPField.Name("webhook-id")!
let webhookTimestamp = HTTPField.Name("webhook-timestamp")!
let webhookSignature = HTTPField.Name("webhook-signature")!
@Sendable func json(_ bytes: some Sequence<UInt8>, _ status: HTTPResponse.Status = .ok) -> Response {
    Response(status: status, headers: jsonHeaders, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
}

let router = Router()
router.get("/healthz") { _, _ in json(#"{"status":"ok"}"#.utf8) }
router.get("/v1/scans/:id") { _, context in
    let id = try context.parameters.require("id")
    guard let scan = store.state.withLock({ $0.scans[id] }) else {
        return json(#"{"title":"Not Found","status":404}"#.utf8, .notFound)
    }
    return json(try JSONEncoder().encode(scan))
}
router.post("/v1/webhooks/:source") { request, context in
    guard try context.parameters.require("source") == sourceName else {
        return json(#"{"title":"Not Found","status":404}"#.utf8, .notFound)
    }
    let body = try await request.body.collect(upTo: 1 << 20)
    let deliveryId: String
    do {
        deliveryId = try verifier.verify(
            id: request.headers[webhookId],
            timestamp: request.headers[webhookTimestamp],
            signature: request.headers[webhookSignature],
            body: body.readableBytesView)
    } catch {
        return json(#"{"title":"Unauthorized","status":401}"#.utf8, .unauthorized)
    }
    var event = try JSONDecoder().decode(BenchEvent.self, from: body)
    event.data.source = sourceName
    event.data.id = "\(sourceName):\(event.data.upstreamId)"
    let scan = event.data
    let isNew = store.state.withLock { state in
        guard state.deliveries.insert(deliveryId).inserted else { return false }
        state.scans[scan.id] = scan
        return true
    }
    let ack = #"{"accepted":true,"duplicate":\#(!isNew),"scanId":"\#(scan.id)"}"#
    return json(ack.utf8, isNew ? .accepted : .ok)
}

let app = Application(
    router: router,
    configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: nil),
    logger: Logger(label: "hbbench")
)
try await app.runService()
