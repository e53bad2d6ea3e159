import Foundation
import Testing
@testable import StateJournal

struct JournalCompactionTests {
    @Test func compaction_ReplacesTheSegmentsWithASnapshot_AndReplayAddsTheLaterRecords() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let journal = try openJournal(directory).journal
        for number in 0..<10 { try await journal.append(.make("change \(number)")) }
        let compacted = try await journal.compact { [.make("state A", kind: 5), .make("state B", kind: 6)] }
        #expect(compacted)
        try await journal.append(.make("change 10"))
        #expect(journal.statistics.compactions == 1)
        await journal.close()

        #expect(try directory.names() == ["LOCK", "journal-2", "snapshot-2"])
        let (replayed, warnings) = try await replay(directory)
        #expect(replayed == [.make("state A", kind: 5), .make("state B", kind: 6), .make("change 10")])
        #expect(warnings.isEmpty)
    }

    @Test func compactionIsDue_OnceTheSegmentsOutgrowTheThreshold_AndTheLastSnapshot() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let options = JournalOptions(compactionThresholdBytes: 100)
        let journal = try openJournal(directory, options: options).journal
        try await journal.append(.make(String(repeating: "a", count: 80)))
        #expect(!journal.isCompactionDue)
        #expect(try await !journal.compactIfDue { [] })
        try await journal.append(.make(String(repeating: "b", count: 20)))
        #expect(journal.isCompactionDue)
        let bigState = [JournalRecord.make(String(repeating: "s", count: 300))]
        #expect(try await journal.compactIfDue { bigState })
        // The snapshot is 300+ bytes: the next compaction waits until as much has been appended.
        try await journal.append(.make(String(repeating: "c", count: 200)))
        #expect(!journal.isCompactionDue)
        try await journal.append(.make(String(repeating: "d", count: 200)))
        #expect(journal.isCompactionDue)
        await journal.close()
    }

    @Test func compactionTwice_KeepsOnlyTheNewestSnapshot() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let journal = try openJournal(directory).journal
        try await journal.append(.make("1"))
        try await journal.compact { [.make("first state")] }
        try await journal.append(.make("2"))
        try await journal.compact { [.make("second state")] }
        try await journal.append(.make("3"))
        await journal.close()
        #expect(try directory.names() == ["LOCK", "journal-3", "snapshot-3"])
        #expect(try await replay(directory).records == [.make("second state"), .make("3")])
    }

    @Test func aCrashBeforeTheOldFilesWereDeleted_ReplaysFromTheNewSnapshotAndRemovesThem() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write(frames([.make("old")]), to: "journal-1")
        var snapshot = frames([.make("state")])
        SnapshotTrailer.encode(count: 1, into: &snapshot)
        try directory.write(snapshot, to: "snapshot-2")
        try directory.write(frames([.make("new")]), to: "journal-2")
        try directory.write([1, 2, 3], to: "snapshot-3.tmp")

        let (replayed, warnings) = try await replay(directory)
        #expect(replayed == [.make("state"), .make("new")])
        #expect(warnings.isEmpty)
        #expect(try directory.names() == ["LOCK", "journal-2", "snapshot-2"])
    }

    @Test func aDamagedSnapshot_IsRenamedAsideForTheOlderState_WithAWarning() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var older = frames([.make("older state")])
        SnapshotTrailer.encode(count: 1, into: &older)
        try directory.write(older, to: "snapshot-1")
        try directory.write(frames([.make("change")]), to: "journal-1")
        // Complete frames but no trailer: the writer died before finishing (or the file lost its end).
        try directory.write(frames([.make("newer state")]), to: "snapshot-2")
        try directory.write(frames([.make("latest")]), to: "journal-2")

        let (replayed, warnings) = try await replay(directory)
        #expect(replayed == [.make("older state"), .make("change"), .make("latest")])
        let aside = try #require(try directory.names().first { $0.hasPrefix("snapshot-2.damaged-") })
        #expect(warnings == [
            "state journal: damaged \(directory.file("snapshot-2")): no trailer (incomplete); renamed it to "
                + "\(directory.file(aside)), falling back to an older state"
        ])
        #expect(try directory.bytes(of: aside) == frames([.make("newer state")]))
    }

    @Test func aSnapshotWhoseTrailerMiscounts_IsDamaged() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var snapshot = frames([.make("a"), .make("b")])
        SnapshotTrailer.encode(count: 3, into: &snapshot)
        try directory.write(snapshot, to: "snapshot-1")
        let (replayed, warnings) = try await replay(directory)
        #expect(replayed.isEmpty)
        #expect(warnings.first?.contains("trailer counts 3 records, found 2") == true)
    }

    @Test func appendsDuringCompaction_GoToTheNewSegment_AndSurvive() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let journal = try openJournal(directory).journal
        try await journal.append(.make("before"))
        try await journal.compact {
            try await journal.append(.make("during"))
            return [.make("state")]
        }
        await journal.close()
        #expect(try await replay(directory).records == [.make("state"), .make("during")])
    }
}
