import Foundation
import Testing
@testable import StateJournal

struct JournalRecoveryTests {
    private let records: [JournalRecord] = [.make("alpha"), .make("bravo", kind: 2), .make("charlie", kind: 3)]

    /// A directory whose only segment holds `bytes`.
    private func directory(holding bytes: [UInt8]) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        try directory.write(bytes, to: "journal-1")
        return directory
    }

    @Test func aTornLastRecord_CutAtEveryOffset_IsDropped_AndAppendsContinueAfterTheIntactOnes() async throws {
        let whole = frames(records)
        let intact = frames(Array(records.dropLast())).count
        for cut in intact + 1..<whole.count {
            let directory = try directory(holding: Array(whole[..<cut]))
            defer { directory.remove() }
            let (journal, replayed, warnings) = try openJournal(directory)
            #expect(replayed == Array(records.dropLast()), "cut at \(cut)")
            #expect(warnings.count == 1, "cut at \(cut)")
            #expect(try directory.bytes(of: "journal-1").count == intact, "cut at \(cut)")
            try await journal.append(.make("delta"))
            await journal.close()
            let (again, laterWarnings) = try await replay(directory)
            #expect(again == Array(records.dropLast()) + [.make("delta")], "cut at \(cut)")
            #expect(laterWarnings.isEmpty)
        }
    }

    @Test func aCutExactlyBetweenRecords_IsNoDamage() async throws {
        let directory = try directory(holding: frames(Array(records.dropLast())))
        defer { directory.remove() }
        let (replayed, warnings) = try await replay(directory)
        #expect(replayed == Array(records.dropLast()))
        #expect(warnings.isEmpty)
    }

    @Test func everyFlippedBit_StopsReplayAtTheRecordItHit() async throws {
        let whole = frames(records)
        var boundaries: [Int] = [0]
        for record in records { boundaries.append(boundaries.last! + RecordFrame.overheadBytes + record.payload.count) }
        for bit in 0..<whole.count * 8 {
            var garbled = whole
            garbled[bit / 8] ^= 1 << UInt8(bit % 8)
            let hit = boundaries.lastIndex { $0 <= bit / 8 }!
            let directory = try directory(holding: garbled)
            defer { directory.remove() }
            let (replayed, warnings) = try await replay(directory)
            #expect(replayed == Array(records[..<hit]), "bit \(bit)")
            #expect(warnings.count == 1, "bit \(bit)")
            #expect(try directory.bytes(of: "journal-1").count == boundaries[hit], "bit \(bit)")
        }
    }

    @Test func aLengthFieldPointingPastTheEnd_IsDroppedAsATornTail() async throws {
        var bytes = frames(records)
        let last = frames(Array(records.dropLast())).count
        bytes[last] = 200
        let directory = try directory(holding: bytes)
        defer { directory.remove() }
        let (replayed, warnings) = try await replay(directory)
        #expect(replayed == Array(records.dropLast()))
        #expect(warnings.first?.contains("incomplete record at offset \(last)") == true)
    }

    @Test func garbageInTheMiddleOfASegment_SetsEverythingAfterItAside_WithAWarning() async throws {
        var bytes = frames(records)
        let second = frames([records[0]]).count
        bytes.replaceSubrange(second + 5..<second + 8, with: [0xDE, 0xAD, 0xBE])
        let directory = try directory(holding: bytes)
        defer { directory.remove() }
        let (replayed, warnings) = try await replay(directory)
        #expect(replayed == [records[0]])
        let aside = try #require(try directory.names().first { $0.hasPrefix("journal-1.damaged-") })
        #expect(warnings == [
            "state journal: \(directory.file("journal-1")): checksum mismatch at offset \(second); "
                + "kept the 1 records before it and moved the \(bytes.count - second) bytes from there on to "
                + directory.file(aside)
        ])
        #expect(try directory.bytes(of: aside) == Array(bytes[second...]))
    }

    @Test func damageInAnOlderSegment_KeepsTheLaterSegments() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write(frames([records[0]]) + [1, 2, 3], to: "journal-1")
        try directory.write(frames([records[1], records[2]]), to: "journal-2")
        let (journal, replayed, warnings) = try openJournal(directory)
        #expect(replayed == records)
        #expect(warnings.count == 1)
        try await journal.append(.make("delta"))
        await journal.close()
        #expect(try directory.bytes(of: "journal-2") == frames([records[1], records[2], .make("delta")]))
    }

    /// A crash mid-write, simulated by copying the segment while appends are in flight: the copy opens without
    /// error and holds every record acknowledged before the copy began, each intact, in order.
    @Test func aCopyTakenMidWrite_ReplaysEveryAcknowledgedRecord() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let journal = try openJournal(directory).journal
        let acknowledged = SharedCount()
        let copies = try (0..<4).map { _ in try TemporaryDirectory() }
        defer { copies.forEach { $0.remove() } }
        let payload = String(repeating: "x", count: 3000)

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for number in 0..<600 {
                    try await journal.append(.make("\(number) \(payload)"))
                    acknowledged.set(number + 1)
                }
            }
            var floors: [Int] = []
            for copy in copies {
                while acknowledged.current < (floors.last ?? 0) + 100 { await Task.yield() }
                floors.append(acknowledged.current)
                try copy.write(try directory.bytes(of: "journal-1"), to: "journal-1")
            }
            try await group.waitForAll()
            for (copy, floor) in zip(copies, floors) {
                let replayed = try await replay(copy).records
                #expect(replayed.count >= floor)
                #expect(replayed == (0..<replayed.count).map { JournalRecord.make("\($0) \(payload)") })
            }
        }
        await journal.close()
    }
}
