import HTTP2
import HTTPCore
import Testing

@Suite(.timeLimit(.minutes(1)))
struct HTTP2UpgradeTests {
    /// SETTINGS_MAX_CONCURRENT_STREAMS=100, SETTINGS_INITIAL_WINDOW_SIZE=65535, as `nghttp -u` sends them.
    static let encodedSettings = "AAMAAABkAAQAAP__"
    static let settingsBytes: [UInt8] = [0, 3, 0, 0, 0, 100, 0, 4, 0, 0, 0xFF, 0xFF]

    static func upgradeRequest(_ fields: [(String, String)] = [], method: HTTPMethod = .get, version: HTTPVersion = .http1_1) -> HTTPRequest {
        var headers = HTTPHeaders([("Host", "example.test"), ("Connection", "Upgrade, HTTP2-Settings"), ("Upgrade", "h2c"),
                                   ("HTTP2-Settings", encodedSettings)])
        for (name, value) in fields { headers.set(name, value) }
        return HTTPRequest(method: method, target: "/upgraded?x=1", version: version, headers: headers)
    }

    @Test func settingsPayload_IsDecoded_FromBase64URL() {
        #expect(HTTP2Upgrade.settingsPayload(of: Self.upgradeRequest()) == Self.settingsBytes)
        #expect(HTTP2Upgrade.settingsPayload(of: Self.upgradeRequest([("HTTP2-Settings", "")])) == [])
    }

    @Test(arguments: [
        ("Connection", "Upgrade"),  // HTTP2-Settings not named in Connection
        ("Upgrade", "websocket"),
        ("HTTP2-Settings", "AAMAAABk+AQAAP//"),  // base64, not base64url
        ("HTTP2-Settings", "AAMAAABkAA"),  // not whole 6-byte entries
    ])
    func settingsPayload_IsNil_ForAnythingButAValidH2cUpgrade(field: String, value: String) {
        #expect(HTTP2Upgrade.settingsPayload(of: Self.upgradeRequest([(field, value)])) == nil)
    }

    @Test func settingsPayload_IsNil_ForHTTP10() {
        #expect(HTTP2Upgrade.settingsPayload(of: Self.upgradeRequest(version: .http1_0)) == nil)
    }

    @Test func upgradedRequest_IsAnsweredOnStream1_AsHTTP2WithoutUpgradeFields() async throws {
        let harness = try ConnectionHarness(responder: ClosureResponder { request in
            let fields = request.headers.map { $0.name.lowercased() }.sorted().joined(separator: ",")
            return .text("\(request.version) \(request.target) \(fields)")
        })
        #expect(harness.server.upgrade(with: Self.upgradeRequest(), settingsPayload: Self.settingsBytes))
        harness.start()
        await harness.settle()
        let response = try #require(harness.responses[1])
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == "HTTP/2 /upgraded?x=1 host")
        #expect(harness.server.isIdle)
    }

    @Test func upgradedHead_GetsHeadersOnly() async throws {
        let harness = try ConnectionHarness(responder: ClosureResponder { _ in .text("body") })
        #expect(harness.server.upgrade(with: Self.upgradeRequest(method: .head), settingsPayload: Self.settingsBytes))
        harness.start()
        await harness.settle()
        #expect(harness.responses[1]?.status == 200 && harness.responses[1]?.body == [])
    }
}
