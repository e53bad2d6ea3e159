import Foundation
import Testing
@testable import StateJournal

struct StateJournalTests {
    @Test func recordsAppended_AreReplayedInOrder_AfterReopening() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (journal, replayed, warnings) = try openJournal(directory)
        #expect(replayed.isEmpty)
        #expect(warnings.isEmpty)
        try await journal.append(.make("one"))
        try await journal.append([.make("two", kind: 2), .make("three", kind: 3)])
        await journal.close()

        let (records, reopenWarnings) = try await replay(directory)
        #expect(records == [.make("one"), .make("two", kind: 2), .make("three", kind: 3)])
        #expect(reopenWarnings.isEmpty)
    }

    @Test func appendsAfterReopening_FollowTheReplayedRecords() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let first = try openJournal(directory).journal
        try await first.append(.make("before"))
        await first.close()
        let second = try openJournal(directory).journal
        try await second.append(.make("after"))
        await second.close()
        #expect(try await replay(directory).records == [.make("before"), .make("after")])
    }

    @Test func aMissingStateDirectory_IsCreatedWithItsParents() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let nested = TemporaryDirectory(existing: directory.file("a/b/state"))
        let journal = try openJournal(nested).journal
        try await journal.append(.make("x"))
        await journal.close()
        #expect(try nested.names() == ["LOCK", "journal-1"])
    }

    @Test func aSecondJournalOnTheSameDirectory_IsRefusedWhileTheFirstIsOpen() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let journal = try openJournal(directory).journal
        #expect(throws: JournalError.directoryInUse(path: directory.path)) { try openJournal(directory) }
        await journal.close()
        let again = try openJournal(directory).journal
        await again.close()
    }

    @Test func aLockHeldForAMoment_AsByAForkedChildBeforeItsExec_IsWaitedFor() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let journal = try openJournal(directory).journal
        await journal.close()
        // Another open file description of LOCK holds it, as a child's inherited copy would until its exec. Taken
        // the way the journal takes it, waiting: a child that another test forked meanwhile may still share the
        // journal's descriptor, just released, until its own exec (the very case under test).
        let holder = try JournalDirectory(path: directory.path).lock(waitingUpTo: .seconds(5))
        // A thread of its own: the open below blocks its caller while it waits.
        Thread.detachNewThread {
            usleep(200_000)
            holder.close()
        }
        let started = ContinuousClock.now
        let again = try openJournal(directory).journal
        #expect(ContinuousClock.now - started >= .milliseconds(150))
        await again.close()
    }

    @Test func aRecordAboveTheLimit_IsRefused_AndNothingIsWritten() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let journal = try openJournal(directory, options: JournalOptions(maxRecordBytes: 8)).journal
        await #expect(throws: JournalError.recordTooLarge(bytes: 9, limit: 8)) {
            try await journal.append([.make("ok"), .make("too large")])
        }
        try await journal.append(.make("12345678"))
        await journal.close()
        #expect(try await replay(directory, options: JournalOptions(maxRecordBytes: 8)).records == [.make("12345678")])
    }

    @Test func kindZero_IsReservedForTheJournal() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let journal = try openJournal(directory).journal
        await #expect(throws: JournalError.reservedKind) { try await journal.append(.make("x", kind: 0)) }
        await journal.close()
    }

    @Test func appendsAfterClose_AreRefused() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let journal = try openJournal(directory).journal
        await journal.close()
        await journal.close()
        await #expect(throws: JournalError.closed) { try await journal.append(.make("late")) }
    }

    @Test func aFailedWrite_FailsItsBatch_AndEveryLaterAppend_KeepingWhatWasDurable() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // No recovery attempt while the test runs (JournalWriteRecoveryTests covers recovery): on a loaded machine
        // a second could pass between two appends, and the later one would then rightly succeed.
        let journal = try openJournal(directory, options: JournalOptions(recoveryInterval: .seconds(3600))).journal
        try await journal.append(.make("kept"))
        journal.injectFault(failNextWrite: ENOSPC)
        await #expect(throws: JournalError.failed(underlying: "write \(directory.file("journal-1")): No space left on device")) {
            try await journal.append(.make("lost"))
        }
        await #expect(throws: JournalError.self) { try await journal.append(.make("after")) }
        await journal.close()
        #expect(try await replay(directory).records == [.make("kept")])
    }

    @Test func submittedRecords_AreDurableOnceWaitedFor_InSubmissionOrder() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let journal = try openJournal(directory).journal
        let first = try journal.submit([.make("one")])
        try journal.submit([.make("two"), .make("three")])
        try await journal.waitUntilDurable(first)
        try await journal.waitUntilDurable()
        try await journal.append(.make("four"))
        await journal.close()
        #expect(try await replay(directory).records.map(\.text) == ["one", "two", "three", "four"])
    }

    @Test func aFailedSync_FailsItsBatch_AndEveryLaterAppend() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // No recovery attempt while the test runs (JournalWriteRecoveryTests covers recovery): on a loaded machine
        // a second could pass between two appends, and the later one would then rightly succeed.
        let journal = try openJournal(directory, options: JournalOptions(recoveryInterval: .seconds(3600))).journal
        journal.injectFault(failNextSync: EIO)
        await #expect(throws: JournalError.self) { try await journal.append(.make("unsure")) }
        await #expect {
            try await journal.append(.make("refused"))
        } throws: { error in
            if case .failed = error as? JournalError { true } else { false }
        }
        await journal.close()
    }
}

extension TemporaryDirectory {
    /// A path that may not exist yet; removed with its parent.
    init(existing path: String) {
        self.path = path
    }
}
