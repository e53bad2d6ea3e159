import Foundation
import Testing
import Webhooks
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `state.dir` against the real binary: `kill -9` in the middle of a webhook load, then a restart on the same
/// directory keeps every acknowledged delivery, every watch and every dedupe key.
@Suite struct DurabilityTests {
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let deliveries = 400

    /// A relay source for the webhooks and a Binarly source whose upstream refuses connections, polled every
    /// second, so watches fail their polls (and count them) rather than finish.
    static func configuration(stateDirectory: String) -> String {
        """
        state: { dir: "\(stateDirectory)" }
        poll:
          unknownSize: { min: 1s, max: 2s }
          expectedDuration:
            - { min: 1s, max: 2s }
          interval: { min: 1s, max: 1s }
          backoff: { base: 1s, max: 1s }
        sources:
          - name: relay
            provider: scanrelay
            webhook: { verify: standard-webhooks, secret: "\(secret)" }
          - name: binarly
            provider: binarly
            upstream: { baseURL: "http://127.0.0.1:9", auth: { bearer: "token" } }
            webhook: { verify: standard-webhooks, secret: "\(secret)" }
        """
    }

    static func delivery(_ number: Int, port: Int) throws -> URLRequest {
        let body = Data(
            #"{"type":"scan.completed","data":{"upstreamId":"u-\#(number)","subject":{"imageId":"img-\#(number)"},"status":"completed"}}"#
                .utf8)
        let id = "delivery-\(number)"
        let timestamp = Int64(Date().timeIntervalSince1970)
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/v1/webhooks/relay")!)
        request.httpMethod = "POST"
        request.httpBody = body
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(id, forHTTPHeaderField: "webhook-id")
        request.setValue(String(timestamp), forHTTPHeaderField: "webhook-timestamp")
        request.setValue(
            try WebhookSigner.standardWebhooksSignature(id: id, timestamp: timestamp, body: Array(body), secret: secret),
            forHTTPHeaderField: "webhook-signature")
        return request
    }

    static func send(_ request: URLRequest) async throws -> (status: Int, json: [String: Any]) {
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        return (status, (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:])
    }

    static func get(_ path: String, port: Int) async throws -> (status: Int, json: [String: Any]) {
        try await send(URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!))
    }

    @Test func aKilledServer_RestartsWithEveryAcknowledgedDelivery_EveryWatch_AndItsDedupeKeys() async throws {
        let directory = NSTemporaryDirectory() + "scanrelay-durability-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = directory + "/config.yaml"
        try Self.configuration(stateDirectory: directory + "/state").write(toFile: config, atomically: true, encoding: .utf8)

        let (first, port) = try await StreamedProcess.serve(["--config", config])
        var watchIDs: [String] = []
        for number in 0..<5 {
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/v1/watches")!)
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(#"{"source":"binarly","ref":{"productId":"p","imageId":"watched-\#(number)"}}"#.utf8)
            let (status, json) = try await Self.send(request)
            #expect(status == 201)
            watchIDs.append(try #require(json["id"] as? String))
        }

        // Signed deliveries from 16 concurrent senders; the server is killed once a quarter are acknowledged.
        let acknowledged = try await withThrowingTaskGroup(of: Int?.self) { group in
            var next = 0, accepted: [Int] = []
            func launch() throws {
                let request = try Self.delivery(next, port: port)
                let number = next
                group.addTask { (try? await Self.send(request))?.status == 202 ? number : nil }
                next += 1
            }
            for _ in 0..<16 { try launch() }
            while let result = try await group.next() {
                if let result { accepted.append(result) }
                if accepted.count == Self.deliveries / 4 { first.signal(SIGKILL) }
                if next < Self.deliveries { try launch() }
            }
            return accepted
        }
        #expect(try await first.finish().signal == SIGKILL)
        #expect(acknowledged.count >= Self.deliveries / 4)

        let (second, secondPort) = try await StreamedProcess.serve(["--config", config])
        for number in acknowledged {
            let (status, json) = try await Self.get("/v1/scans/relay:u-\(number)", port: secondPort)
            #expect(status == 200, "delivery \(number) was acknowledged but is not cached")
            #expect(json["status"] as? String == "completed")
        }
        for number in acknowledged.prefix(50) {
            let (status, json) = try await Self.send(try Self.delivery(number, port: secondPort))
            #expect(status == 200 && json["duplicate"] as? Bool == true, "delivery \(number) not recognised")
        }
        var pollsBefore: [String: Int] = [:]
        for id in watchIDs {
            let (status, json) = try await Self.get("/v1/watches/\(id)", port: secondPort)
            #expect(status == 200)
            #expect(["waiting", "polling"].contains(json["state"] as? String))
            pollsBefore[id] = json["polls"] as? Int ?? 0
        }
        // Polling resumes: each watch's poll count grows (its upstream refuses, so every poll fails and counts).
        for id in watchIDs {
            var polls = pollsBefore[id] ?? 0
            let deadline = ContinuousClock.now + .seconds(30)
            while polls <= pollsBefore[id] ?? 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
                polls = try await Self.get("/v1/watches/\(id)", port: secondPort).json["polls"] as? Int ?? 0
            }
            #expect(polls > pollsBefore[id] ?? 0, "watch \(id) did not poll after the restart")
        }
        try await second.expectCleanStop()
        #expect(second.errors.all.contains { $0.contains("state journal replayed") })
    }

    /// Issue 15's bug: a journaled watch of a source that a later configuration removed was queued and never polled
    /// nor expired. After the restart it is listed as expired, saying why; after another, it still is.
    @Test func aWatchOfARemovedSource_IsListedExpired_AfterTheRestart() async throws {
        let directory = NSTemporaryDirectory() + "scanrelay-removed-source-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = directory + "/config.yaml"
        try Self.configuration(stateDirectory: directory + "/state").write(toFile: config, atomically: true, encoding: .utf8)
        let (first, port) = try await StreamedProcess.serve(["--config", config])
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/v1/watches")!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(#"{"source":"binarly","ref":{"productId":"p","imageId":"i"},"scanStartedAt":"2999-01-01T00:00:00Z"}"#.utf8)
        let created = try await Self.send(request)
        #expect(created.status == 201)
        let id = try #require(created.json["id"] as? String)
        try await first.expectCleanStop()

        // The Binarly source is gone from the configuration.
        let withoutBinarly = Self.configuration(stateDirectory: directory + "/state")
            .components(separatedBy: "  - name: binarly")[0]
        try withoutBinarly.write(toFile: config, atomically: true, encoding: .utf8)
        for restart in 1...2 {
            let (server, serverPort) = try await StreamedProcess.serve(["--config", config])
            let listed = try await Self.get("/v1/watches", port: serverPort)
            let watches = listed.json["watches"] as? [[String: Any]] ?? []
            let watch = try #require(watches.first { $0["id"] as? String == id }, "restart \(restart): \(listed.json)")
            #expect(watch["state"] as? String == "expired", "restart \(restart)")
            #expect((watch["lastError"] as? String)?.contains("source binarly is no longer configured") == true)
            #expect(watch["nextPollAt"] == nil || watch["nextPollAt"] is NSNull)
            try await server.expectCleanStop()
        }
    }
}
