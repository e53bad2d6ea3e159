import Foundation
import Testing
@testable import StateJournal

/// A write or sync that fails (a full disk): the journal refuses appends, then writes again by itself once it can.
@Suite struct JournalWriteRecoveryTests {
    static let quickly = JournalOptions(recoveryInterval: .milliseconds(20))

    /// Polls `journal.health` until `expected` (at most 10 s).
    static func waitForHealth(_ journal: StateJournal, _ expected: (JournalHealth) -> Bool) async throws -> JournalHealth {
        let deadline = ContinuousClock.now + .seconds(10)
        while !expected(journal.health), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        return journal.health
    }

    @Test func aDiskFullThenFreed_RefusesAppendsWhileFull_ThenRecordsAgain_LosingNothingAcknowledged() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let journal = try openJournal(directory, options: Self.quickly).journal
        try await journal.append(.make("before"))

        journal.failWrites(with: ENOSPC)
        await #expect(throws: JournalError.self) { try await journal.append(.make("lost while full")) }
        #expect(journal.health == .recovering(
            reason: "write \(directory.file("journal-1")): No space left on device"))
        // Recovery attempts keep failing while the disk stays full; appends are refused at once meanwhile.
        try await Task.sleep(for: .milliseconds(100))
        #expect(throws: JournalError.self) { try journal.submit([.make("refused while full")]) }
        if case .recovering = journal.health {} else { Issue.record("a full disk is something to wait out") }

        journal.failWrites(with: nil)
        #expect(try await Self.waitForHealth(journal) { $0 == .healthy } == .healthy)
        try await journal.append(.make("after"))
        #expect(journal.statistics.recoveries == 1)
        #expect(journal.statistics.writeFailures >= 1)
        await journal.close()

        let (records, warnings) = try await replay(directory)
        #expect(records == [.make("before"), .make("after")])
        #expect(warnings.isEmpty, "the half-written batch was cut off, not left for the next start to find")
    }

    @Test func aFailedSync_RecoversByItself_AndTheBatchItLostStaysLost() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let journal = try openJournal(directory, options: Self.quickly).journal
        journal.injectFault(failNextSync: EIO)
        let unsure = try journal.submit([.make("unsure")])
        await #expect(throws: JournalError.self) { try await journal.waitUntilDurable(unsure) }
        #expect(try await Self.waitForHealth(journal) { $0 == .healthy } == .healthy)
        // Asked again after the recovery, the lost submission still answers that it is not durable.
        await #expect(throws: JournalError.self) { try await journal.waitUntilDurable(unsure) }
        let later = try journal.submit([.make("later")])
        try await journal.waitUntilDurable(later)
        await journal.close()
        #expect(try await replay(directory).records == [.make("later")])
    }

    @Test func aFailureThatIsNotAFullDisk_IsReportedAsFailed() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let journal = try openJournal(directory, options: Self.quickly).journal
        journal.failWrites(with: EIO)
        await #expect(throws: JournalError.self) { try await journal.append(.make("lost")) }
        let health = try await Self.waitForHealth(journal) { if case .failed = $0 { true } else { false } }
        #expect(health == .failed(reason: "write \(directory.file("journal-1")): Input/output error"))
        journal.failWrites(with: nil)
        #expect(try await Self.waitForHealth(journal) { $0 == .healthy } == .healthy)
        await journal.close()
    }

    @Test func recoveryIsReported_ToTheOwner() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let journal = try openJournal(directory, options: Self.quickly).journal
        let reported = SharedCount()
        journal.onRecovery { reported.set(reported.current + 1) }
        journal.injectFault(failNextWrite: ENOSPC)
        await #expect(throws: JournalError.self) { try await journal.append(.make("lost")) }
        _ = try await Self.waitForHealth(journal) { $0 == .healthy }
        #expect(reported.current == 1)
        await journal.close()
    }
}
