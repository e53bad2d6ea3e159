import Foundation
import Testing

/// `serve` on an unsafe state directory, against the real binary: it refuses to start, says why and how to fix it,
/// and touches nothing a planted link points to.
@Suite struct CLIStateDirectoryTests {
    static func configuration(stateDirectory: String, in directory: String) throws -> String {
        let path = directory + "/config.yaml"
        try #"state: { dir: "\#(stateDirectory)" }"#.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "scanrelay-statedir-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func aGroupWritableStateDirectory_StopsServe_WithTheFix() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let state = directory + "/state"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: false)
        #expect(chmod(state, 0o775) == 0)
        let result = try await CLIProcess.run(["serve", "--config", try Self.configuration(stateDirectory: state, in: directory)])
        #expect(result.exitCode != 0)
        #expect(result.stderr.contains("state directory \(state) is writable by its group or by everyone (mode 775)"))
        #expect(result.stderr.contains("chmod 700 \(state)"))
    }

    @Test func aJournalSymlinkPlantedToAVictim_StopsServe_AndTheVictimKeepsEveryByte() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let state = directory + "/state"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: false)
        #expect(chmod(state, 0o700) == 0)
        let victim = directory + "/victim"
        let precious = Data("a file the service can write but must not touch\n".utf8)
        try precious.write(to: URL(fileURLWithPath: victim))
        #expect(symlink(victim, state + "/journal-1") == 0)

        let result = try await CLIProcess.run(["serve", "--config", try Self.configuration(stateDirectory: state, in: directory)])
        #expect(result.exitCode != 0)
        #expect(result.stderr.contains("\(state)/journal-1 is a symbolic link"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: victim)) == precious)
    }
}
