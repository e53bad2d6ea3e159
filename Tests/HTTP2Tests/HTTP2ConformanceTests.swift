import Foundation
import HTTPServer
import Testing

/// h2spec-style cases against the real server on a real socket, written frame by frame in Python (hyperframe,
/// hpack: Scripts/h2_conformance.py): the connection preface (3.5) and every stream state of RFC 9113 §5.1 (h2spec
/// 5.1/1 to 5.1/13). Each must be answered — RST_STREAM or GOAWAY with the required code, or a closed connection —
/// within the script's 5 s, never left to time out. 5.1/8, 5.1/9, 5.1/11, 5.1/12 (frames on a stream the client had
/// reset or ended) and the broken preface after `PRI * HTTP/2.0` timed out or were answered in HTTP/1.1 before.
@Suite(.timeLimit(.minutes(2)))
struct HTTP2ConformanceTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Scripts/h2_conformance.py").path

    static let cases = [
        "3.5/invalid-preface-after-PRI", "3.5/2",
        "5.1/1", "5.1/2", "5.1/3", "5.1/4", "5.1/5", "5.1/6", "5.1/7",
        "5.1/8", "5.1/9", "5.1/10", "5.1/11", "5.1/12", "5.1/13",
    ]

    @Test func theScript_ListsExactlyTheseCases() async throws {
        let listed = try await runTool(["python3", Self.script, "list"])
        #expect(listed.output.split(separator: "\n").map(String.init) == Self.cases)
    }

    @Test(arguments: cases)
    func eachCase_IsAnswered(_ name: String) async throws {
        try await withLiveServer { server in
            let result = try await runTool(["python3", Self.script, "\(server.localPort)", name])
            #expect(result.status == 0, "\(result.output)")
            #expect(result.output.hasPrefix("ok \(name): "), "\(result.output)")
        }
    }

    /// The cases the server used to leave unanswered get the answer RFC 9113 names, not just a closed connection.
    @Test(arguments: [
        ("5.1/8", "RST_STREAM(0x5) on stream 1"), ("5.1/9", "RST_STREAM(0x5) on stream 1"),
        ("5.1/11", "GOAWAY(0x5)"), ("5.1/12", "GOAWAY(0x5)"), ("3.5/invalid-preface-after-PRI", "GOAWAY(0x1)"),
    ])
    func formerlyUnanswered_GetTheirFrame(_ name: String, _ answer: String) async throws {
        try await withLiveServer { server in
            let result = try await runTool(["python3", Self.script, "\(server.localPort)", name])
            #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines) == "ok \(name): \(answer)")
        }
    }
}
