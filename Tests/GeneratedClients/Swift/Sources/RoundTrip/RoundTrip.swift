// Drives a live ScanRelay server through the client swift-openapi-generator made from openapi.yaml (the sources in
// Generated/, written by scripts/generated-clients.sh), with the generator's default configuration: its `.iso8601`
// date decoding is the strictest reader of ScanRelay's timestamps.
//
// usage: RoundTrip BASE_URL SERVER_PID
// The server was seeded by scripts/generated-clients.sh (see SEEDED there). The event stream never ends on its own
// and URLSession on Linux hands a body over only once it is complete, so the last step holds a `streamEvents`
// request open, sends the server SIGTERM once /metrics counts the subscriber, and reads what the graceful shutdown
// let through. Prints "ok ..." lines; exits 1 at the first failure.
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Foundation
import OpenAPIRuntime
import OpenAPIURLSession

struct Failure: Error, CustomStringConvertible {
    let description: String
}

func check(_ condition: Bool, _ what: String) throws {
    guard condition else { throw Failure(description: what) }
    print("ok swift client: \(what)")
}

@main
struct RoundTrip {
    static func main() async {
        let arguments = CommandLine.arguments
        guard arguments.count == 3, let base = URL(string: arguments[1]), let pid = Int32(arguments[2]) else {
            print("usage: RoundTrip BASE_URL SERVER_PID")
            exit(2)
        }
        do {
            // Without a local cache: URLSession would otherwise answer a 304 itself, as a 200 with the body it kept
            // (which `Cache-Control: no-cache` allows it to), and the 304 this checks would never reach the client.
            let configuration = URLSessionConfiguration.default
            configuration.urlCache = nil
            let transport = URLSessionTransport(configuration: .init(session: URLSession(configuration: configuration)))
            try await run(Client(serverURL: base, transport: transport, middlewares: [EntityTagHeaders()]), serverPID: pid)
        } catch {
            print("FAIL swift client: \(error)")
            exit(1)
        }
    }

    static func run(_ client: Client, serverPID: Int32) async throws {
        let scans = try await client.listScans(.init()).ok.body.json.scans
        try check(scans.count == 3, "listScans decodes 3 scans")
        let since = try await client.listScans(.init(query: .init(updatedSince: scans[0].updatedAt))).ok.body.json.scans
        try check(since.contains { $0.id == scans[0].id }, "updatedSince with an updatedAt handed back still finds that scan")

        let done = try await client.getScan(.init(path: .init(id: "relay:with-findings"))).ok
        let scan = try done.body.json
        try check(scan.status == .completed && scan.findings?.total == 3, "getScan with findings")
        let running = try await client.getScan(.init(path: .init(id: "relay:no-findings"))).ok.body.json
        try check(running.status == .running && running.findings == nil, "getScan without findings (null)")

        let etag = try done.headers.eTag ?? { throw Failure(description: "getScan sent no ETag") }()
        let again = try await client.getScan(.init(path: .init(id: "relay:with-findings"), headers: .init(ifNoneMatch: etag)))
        try check(try again.notModified.headers.eTag == etag, "304 for If-None-Match")

        let image = try await client.listImageScans(.init(path: .init(imageId: "image-a"))).ok.body.json.scans
        try check(Set(image.map(\.id)) == ["relay:with-findings", "relay:no-findings"], "listImageScans")

        let request = Components.Schemas.WatchRequest(
            source: "binarly", ref: .init(productId: "p1", imageId: "i1"), imageSizeBytes: 1 << 30,
            scanStartedAt: Date(timeIntervalSince1970: 32_503_680_000))
        let watch = try await client.createWatch(.init(body: .json(request))).created.body.json
        try check(watch.state == .waiting, "createWatch")
        let watches = try await client.listWatches(.init()).ok.body.json.watches
        try check(watches.contains { $0.id == watch.id }, "listWatches has it")
        let cancelled = try await client.cancelWatch(.init(path: .init(id: watch.id))).ok.body.json
        try check(cancelled.state == .cancelled, "cancelWatch")

        let events = Task {
            let body = try await client.streamEvents(.init(headers: .init(lastEventID: "0"))).ok.body.textEventStream
            return try await String(collecting: body, upTo: 1 << 20)
        }
        var subscribed = false
        for _ in 0..<200 where !subscribed {
            let metrics = try await String(collecting: client.getMetrics(.init()).ok.body.plainText, upTo: 4 << 20)
            subscribed = metrics.split(separator: "\n").contains { line in
                line.hasPrefix("scanrelay_sse_subscribers ") && (Double(line.split(separator: " ").last ?? "") ?? 0) >= 1
            }
            if !subscribed { try await Task.sleep(for: .milliseconds(50)) }
        }
        try check(subscribed, "the event stream's subscriber shows in /metrics")
        kill(serverPID, SIGTERM)
        let text = try await events.value
        try check(text.contains("event: scan.completed") && text.contains("event: scan.updated"), "streamEvents replays the events")
    }
}
