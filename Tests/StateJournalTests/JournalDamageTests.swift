import Foundation
import Testing
@testable import StateJournal

/// A flipped byte in the middle of a journal: what precedes it comes back, what follows it is kept aside.
@Suite struct JournalDamageTests {
    /// Seven records of 27 bytes each as frames, so offset 100 falls inside the fourth.
    static let records = (1...7).map { JournalRecord.make("scan relay:u-\($0) done") }

    @Test func aByteFlippedAtOffset100_RestoresTheRecordsBeforeIt_AndKeepsTheRestAsideByteForByte() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let journal = try openJournal(directory).journal
        for record in Self.records { try await journal.append(record) }
        await journal.close()
        var bytes = try directory.bytes(of: "journal-1")
        bytes[100] ^= 0x01
        try directory.write(bytes, to: "journal-1")
        // The record the flipped byte falls in, and where its frame starts.
        let hit = try #require((0..<7).first { frames(Array(Self.records.prefix($0 + 1))).count > 100 })
        let damagedFrame = frames(Array(Self.records.prefix(hit))).count
        #expect(hit == 3)

        let (reopened, replayed, warnings) = try openJournal(directory)
        #expect(replayed == Array(Self.records.prefix(hit)))
        let aside = try #require(try directory.names().first { $0.hasPrefix("journal-1.damaged-") })
        #expect(try directory.bytes(of: aside) == Array(bytes[damagedFrame...]))
        #expect(try directory.bytes(of: "journal-1") == Array(bytes[..<damagedFrame]))
        #expect(reopened.statistics.damagedFilesSetAside == 1)
        #expect(warnings.count == 1)
        #expect(warnings.allSatisfy { !$0.contains("scan relay:u-") }, "a warning never carries record contents")
        #expect(warnings.first?.contains(directory.file(aside)) == true)

        // Appends continue after the intact records; the next start finds no damage and keeps the aside file.
        try await reopened.append(.make("after the damage"))
        await reopened.close()
        let again = try await replay(directory)
        #expect(again.records == Array(Self.records.prefix(hit)) + [.make("after the damage")])
        #expect(again.warnings.isEmpty)
        #expect(try directory.names().contains(aside))
    }

    @Test func damageSetAsideTwiceInOneSecond_GetsTwoFiles() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let journalDirectory = JournalDirectory(path: directory.path)
        let first = try journalDirectory.damagedPath(for: directory.file("journal-1"), now: 0)
        #expect(first == directory.file("journal-1.damaged-19700101T000000Z"))
        try directory.write([1], to: "journal-1.damaged-19700101T000000Z")
        #expect(try journalDirectory.damagedPath(for: directory.file("journal-1"), now: 0) == first + "-2")
    }
}
