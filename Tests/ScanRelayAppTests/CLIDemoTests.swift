import ChildProcesses
import Foundation
import Testing

/// `scanrelay demo` started as the built binary: every printed command is run and gives the answer it promises.
@Suite struct CLIDemoTests {
    /// Runs one printed `curl` line through the shell, as a user pasting it would.
    static func shell(_ line: String) async throws -> ChildResult {
        try await ChildProcess.run("/bin/sh", ["-c", line])
    }

    static func json(_ text: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
    }

    @Test func everyPrintedCommandAnswersAsItsCommentSays() async throws {
        let demo = try await StreamedProcess(["demo", "--listen", "127.0.0.1:0"])
        defer { demo.signal(SIGTERM) }
        _ = try #require(await demo.output.line { $0 == "Ctrl-C stops the demo." }, "demo printed no guide: \(demo.errors.all)")
        let lines = demo.output.all
        let curls = lines.filter { $0.hasPrefix("curl ") && !$0.contains("/v1/events") }
        let gates = lines.filter { $0.hasPrefix("scanrelay wait ") }
        #expect(curls.count == 12 && gates.count == 3)

        // The gates first: they wait (long-poll) until the polled scans complete.
        let binary = CLIProcess.binary.path
        let image = try await Self.shell(binary + gates[0].dropFirst("scanrelay".count))
        #expect(image.status == 0, "\(image.stdout)\(image.stderr)")
        let yandex = try await Self.shell(binary + gates[1].dropFirst("scanrelay".count))
        #expect(yandex.status == 1 && yandex.stdout.hasPrefix("FAIL yandex:"), "\(yandex.stdout)\(yandex.stderr)")
        let index = try await Self.shell(binary + gates[2].dropFirst("scanrelay".count))
        #expect(index.status == 1 && index.stdout.hasPrefix("FAIL index demo/app@"), "\(index.stdout)\(index.stderr)")

        for line in curls {
            let result = try await Self.shell(line)
            #expect(result.status == 0, "\(line)")
            if line.contains("/metrics") {
                #expect(result.stdout.contains("scanrelay_http_requests_total"))
            } else if line.contains("webhook-signature: v1,AAAA") {
                #expect(Self.json(result.stdout)?["status"] as? Int == 401, "\(result.stdout)")
            } else if line.contains("-X POST") {
                #expect(Self.json(result.stdout)?["accepted"] as? Bool == true, "\(result.stdout)")
            } else if line.contains("/v1/watches") {
                let watches = try #require(Self.json(result.stdout)?["watches"] as? [[String: Any]])
                #expect(watches.count == 4)
            } else if line.contains("?source=") || line.contains("/images/") || line.hasSuffix("/v1/scans") {
                let scans = try #require(Self.json(result.stdout)?["scans"] as? [[String: Any]], "\(line)")
                #expect(!scans.isEmpty, "\(line)")
            } else if line.contains("/v1/scans/") {
                #expect(Self.json(result.stdout)?["status"] as? String == "completed", "\(line): \(result.stdout)")
            } else {
                #expect(line.hasSuffix("/readyz"))
            }
        }
        let stopped = try await demo.stop()
        #expect(stopped == 0, "demo exited \(stopped): \(demo.errors.all.suffix(30).joined(separator: "\n"))")
    }
}
