import Foundation
import Testing
@testable import StateJournal

struct GroupCommitWriterTests {
    /// Tasks × records each; `JOURNAL_BENCH_TASKS` / `JOURNAL_BENCH_RECORDS` raise them for scripts/bench/journal.sh.
    private static let tasks = ProcessInfo.processInfo.environment["JOURNAL_BENCH_TASKS"].flatMap(Int.init) ?? 200
    private static let perTask = ProcessInfo.processInfo.environment["JOURNAL_BENCH_RECORDS"].flatMap(Int.init) ?? 10

    @Test func concurrentAppends_AreAllDurable_InEachAppendersOrder_WithFewerSyncsThanRecords() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let journal = try openJournal(directory).journal
        let payload = String(repeating: "p", count: 200)
        let clock = ContinuousClock()
        let started = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<Self.tasks {
                group.addTask {
                    for number in 0..<Self.perTask {
                        try await journal.append(.make("\(task) \(number) \(payload)"))
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = clock.now - started
        let statistics = journal.statistics
        await journal.close()

        let total = Self.tasks * Self.perTask
        #expect(statistics.records == total)
        #expect(statistics.syncs < total)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(
            "journal group commit: \(total) appends from \(Self.tasks) tasks in \(String(format: "%.2f", seconds)) s = "
                + "\(Int(Double(total) / seconds)) appends/s, \(statistics.syncs) fdatasyncs, "
                + "mean batch \(String(format: "%.1f", Double(total) / Double(statistics.syncs))), "
                + "largest batch \(statistics.largestBatch)"
        )

        let replayed = try await replay(directory).records.map(\.text)
        #expect(replayed.count == total)
        var next = [Int](repeating: 0, count: Self.tasks)
        for line in replayed {
            let fields = line.split(separator: " ")
            let task = Int(fields[0])!, number = Int(fields[1])!
            #expect(number == next[task])
            next[task] += 1
        }
        #expect(next.allSatisfy { $0 == Self.perTask })
    }

    @Test func sequentialAppends_SyncOncePerAppend() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let journal = try openJournal(directory).journal
        for number in 0..<20 { try await journal.append(.make("\(number)")) }
        #expect(journal.statistics == JournalStatistics(records: 20, syncs: 20, largestBatch: 1, compactions: 0))
        await journal.close()
    }
}
