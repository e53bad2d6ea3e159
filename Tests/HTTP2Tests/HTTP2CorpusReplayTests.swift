import Foundation
import HTTP2
import HTTPCore
import Testing

/// Replays the 133 recorded h2spec client streams (../shared/corpus/h2spec) into a connection: nothing may crash,
/// hang or leak, and every stream the client opened must be accounted for.
@Suite(.timeLimit(.minutes(2)))
struct HTTP2CorpusReplayTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("../shared/corpus/h2spec").standardizedFileURL

    static let files: [String] = (try? FileManager.default.contentsOfDirectory(atPath: directory.path))?.sorted() ?? []

    @Test func corpus_HasAllRecordedStreams() {
        #expect(Self.files.count == 133)
    }

    /// What became of one client stream, in order of preference.
    enum Outcome: Equatable {
        case answered(status: Int), reset(code: UInt32)
        /// The client sent RST_STREAM itself: nothing is owed.
        case resetByClient
        /// HEADERS on an id below one already used. nghttp2 ignores the block rather than failing the connection,
        /// since without closed-stream history it cannot tell a stale trailer from a new stream.
        case ignoredOutOfOrder
        /// The request's body is still to come; the connection must still hold the stream.
        case stillArriving
        case unanswered
    }

    @Test(arguments: files)
    func replay_AnswersOrResetsEveryStream_OrSendsGoaway(file: String) async throws {
        let input = try [UInt8](Data(contentsOf: Self.directory.appendingPathComponent(file)))
        let harness = try ConnectionHarness()
        harness.send(input)
        await harness.settle()
        guard input.starts(with: HTTP2Preface.bytes) else {
            // One recording is h2spec's invalid connection preface: the session must give up on the connection.
            #expect(!harness.accepted && harness.server.wantsClose)
            #expect(harness.closeAndRelease(), "the connection leaked")
            return
        }

        #expect(harness.incompleteOutputBytes == 0, "the output ends in a cut-off frame")
        let clientFrames = Frame.parse(input, from: HTTP2Preface.bytes.count).frames
        let opened = clientFrames.filter { $0.kind == .headers && $0.streamID % 2 == 1 }.map(\.streamID)
        let ended = Set(clientFrames.filter(\.endsStream).map(\.streamID))
        let resetByClient = Set(clientFrames.filter { $0.kind == .rstStream }.map(\.streamID))
        let outOfOrder = Set(opened.enumerated().filter { index, id in opened[..<index].contains { $0 > id } }.map(\.element))

        if let goaway = harness.goaway {
            // A connection error or shutdown: streams above the last id were never processed.
            #expect(goaway.goawayLastStreamID != nil)
        } else {
            for id in Set(opened) {
                let outcome = outcome(of: id, in: harness, clientEnded: ended.contains(id),
                                      clientReset: resetByClient.contains(id), outOfOrder: outOfOrder.contains(id))
                #expect(outcome != .unanswered, "stream \(id) of \(file) got no response, RST_STREAM or GOAWAY")
            }
        }
        #expect(harness.closeAndRelease(), "the connection leaked")
    }

    private func outcome(of id: Int32, in harness: ConnectionHarness, clientEnded: Bool, clientReset: Bool, outOfOrder: Bool) -> Outcome {
        if let response = harness.responses[id] {
            if let status = response.status { return .answered(status: status) }
            if let code = response.resetCode { return .reset(code: code) }
        }
        if clientReset { return .resetByClient }
        if outOfOrder, !harness.server.openStreamIDs.contains(id) { return .ignoredOutOfOrder }
        if !clientEnded, harness.server.openStreamIDs.contains(id) { return .stillArriving }
        return .unanswered
    }

    @Test(arguments: files)
    func replay_InSmallPieces_NeverCrashesOrLeaks(file: String) async throws {
        let input = try [UInt8](Data(contentsOf: Self.directory.appendingPathComponent(file)))
        let harness = try ConnectionHarness()
        // Irregular piece sizes put frame and header-block boundaries everywhere.
        let sizes = [1, 2, 3, 5, 7, 11, 13]
        var offset = 0, piece = 0
        while offset < input.count {
            let end = min(offset + sizes[piece % sizes.count], input.count)
            harness.send(Array(input[offset..<end]))
            offset = end
            piece += 1
        }
        await harness.settle()
        #expect(harness.incompleteOutputBytes == 0)
        #expect(harness.closeAndRelease(), "the connection leaked")
    }
}
