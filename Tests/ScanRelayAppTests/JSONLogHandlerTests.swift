import Foundation
import Logging
import Testing
@testable import ScanRelayApp

@Suite struct JSONLogHandlerTests {
    /// Collects the lines a handler writes.
    final class Lines: @unchecked Sendable {  // every access holds `lock`
        private let lock = NSLock()
        private var lines: [String] = []
        var all: [String] { lock.withLock { lines } }
        func append(_ line: String) { lock.withLock { lines.append(line) } }

        func objects() throws -> [[String: Any]] {
            try all.map { line in
                try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            }
        }
    }

    func logger(_ lines: Lines, level: Logger.Level = .info, provider: Logger.MetadataProvider? = nil) -> Logger {
        var handler = JSONLogHandler(label: "scanrelay.test", metadataProvider: provider, output: { lines.append($0) })
        handler.logLevel = level
        return Logger(label: "scanrelay.test", factory: { _ in handler })
    }

    @Test func eachEventIsOneJSONObjectOnOneLine() throws {
        let lines = Lines()
        let log = logger(lines)
        log.info("first\nline")
        log.warning("second")
        #expect(lines.all.count == 2)
        #expect(lines.all.allSatisfy { $0.hasSuffix("}\n") && $0.dropLast().allSatisfy { $0 != "\n" } })
        let objects = try lines.objects()
        #expect(objects[0]["message"] as? String == "first\nline")
        #expect(objects[1]["level"] as? String == "warning")
        #expect(objects[0]["label"] as? String == "scanrelay.test")
    }

    @Test func theTimestampIsRFC3339UTCWithMilliseconds() throws {
        #expect(JSONLogHandler.timestamp(Date(timeIntervalSince1970: 1_795_459_205.1234)) == "2026-11-23T18:40:05.123Z")
        #expect(JSONLogHandler.timestamp(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
    }

    @Test func metadataIncludingTheRequestIdIsFlattenedIntoTheObject() throws {
        let lines = Lines()
        var log = logger(lines)
        log[metadataKey: "component"] = "api"
        log.info("request", metadata: [
            "request_id": "req-42", "status": .stringConvertible(200), "ok": .stringConvertible(true),
            "tags": ["a", "b"], "detail": ["k": "v"],
        ])
        let object = try #require(try lines.objects().first)
        #expect(object["request_id"] as? String == "req-42")
        #expect(object["component"] as? String == "api")
        #expect(object["status"] as? Int == 200)
        #expect(object["ok"] as? Bool == true)
        #expect(object["tags"] as? [String] == ["a", "b"])
        #expect(object["detail"] as? [String: String] == ["k": "v"])
    }

    @Test func metadataFromTheProviderIsIncludedAndExplicitMetadataWins() throws {
        let lines = Lines()
        let log = logger(lines, provider: Logger.MetadataProvider { ["request_id": "from-provider", "trace": "t1"] })
        log.info("a")
        log.info("b", metadata: ["request_id": "explicit"])
        let objects = try lines.objects()
        #expect(objects[0]["request_id"] as? String == "from-provider" && objects[0]["trace"] as? String == "t1")
        #expect(objects[1]["request_id"] as? String == "explicit")
    }

    @Test func aMetadataKeyNamedLikeAFixedFieldDoesNotReplaceIt() throws {
        let lines = Lines()
        logger(lines).info("real", metadata: ["message": "fake", "level": "fake"])
        let object = try #require(try lines.objects().first)
        #expect(object["message"] as? String == "real" && object["level"] as? String == "info")
        #expect(object["metadata.message"] as? String == "fake")
    }

    @Test func controlCharactersAndQuotesAreEscaped() throws {
        let lines = Lines()
        let tricky = "quote \" backslash \\ tab \t bell \u{07} del \u{7F} é 🚀"
        logger(lines).info("\(tricky)")
        #expect(lines.all[0].contains("\\u0007") && lines.all[0].contains("\\u007f"))
        #expect(try lines.objects().first?["message"] as? String == tricky)
    }

    @Test func eventsBelowTheLevelAreNotWritten() {
        let lines = Lines()
        let log = logger(lines, level: .warning)
        log.info("quiet")
        log.error("loud")
        #expect(lines.all.count == 1)
    }

    @Test func errorsCarryTheirSourceLocation() throws {
        let lines = Lines()
        logger(lines).error("broken")
        let source = try #require(try lines.objects().first?["source"] as? String)
        #expect(source.contains("JSONLogHandlerTests.swift:"))
    }
}
