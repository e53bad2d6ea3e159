import Foundation
import Polling
import Providers
import ScanCore

/// An upstream client whose answers a test scripts, reporting each poll on a stream.
final class ScriptedClient: UpstreamClient, @unchecked Sendable {
    struct Poll: Sendable {
        var ref: ScanRef
        var at: Date
    }

    private let lock = NSLock()
    private var answers: [Result<PollResult, UpstreamError>]
    private let clock: any PollClock
    let polls: AsyncStream<Poll>
    private let pollsContinuation: AsyncStream<Poll>.Continuation

    /// Answers are used in order; after the last, it repeats.
    init(clock: any PollClock, answers: [Result<PollResult, UpstreamError>]) {
        self.clock = clock
        self.answers = answers
        (polls, pollsContinuation) = AsyncStream.makeStream()
    }

    func poll(_ ref: ScanRef, scanStartedAt: Date) async throws(UpstreamError) -> PollResult {
        let answer = lock.withLock { answers.count > 1 ? answers.removeFirst() : answers[0] }
        pollsContinuation.yield(Poll(ref: ref, at: clock.now))
        return try answer.get()
    }

    static func update(_ status: ScanStatus, id: String = "01SCAN", imageId: String = "img", source: String = "binarly") -> ScanUpdate {
        ScanUpdate(source: source, provider: .binarly, upstreamId: id, subject: ScanSubject(imageId: imageId, productId: "prod"),
                   status: status, upstreamStatus: status.rawValue, via: .poll)
    }

    static func scan(_ status: ScanStatus, id: String = "01SCAN") -> Result<PollResult, UpstreamError> {
        .success(.scan(update(status, id: id), following: .binarly(productId: "prod", imageId: "img", scanId: id)))
    }
}

/// Collects what the scheduler reports, as streams a test can await.
final class SchedulerProbe: Sendable {
    let changes: AsyncStream<Watch>
    let changesContinuation: AsyncStream<Watch>.Continuation
    let updates: AsyncStream<ScanUpdate>
    let updatesContinuation: AsyncStream<ScanUpdate>.Continuation
    let expired: AsyncStream<Watch>
    let expiredContinuation: AsyncStream<Watch>.Continuation

    init() {
        (changes, changesContinuation) = AsyncStream.makeStream()
        (updates, updatesContinuation) = AsyncStream.makeStream()
        (expired, expiredContinuation) = AsyncStream.makeStream()
    }

    func scheduler(policy: PollPolicy = PollPolicy(), client: any UpstreamClient, clock: any PollClock,
                   jitter: Double = 0) -> WatchScheduler {
        scheduler(policy: policy, sources: ["binarly": .init(provider: .binarly, client: client)], clock: clock,
                  jitter: { jitter })
    }

    /// `store`, when given, receives every update, as the app's sink does, and a refusal is thrown back.
    func scheduler(policy: PollPolicy, sources: [String: WatchScheduler.Source], clock: any PollClock = SystemPollClock(),
                   jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }, store: ScanStore? = nil) -> WatchScheduler {
        WatchScheduler(
            policy: policy, sources: sources, clock: clock, jitter: jitter,
            sink: { [updatesContinuation] update throws(ScanNotKept) in
                updatesContinuation.yield(update)
                if store?.apply(update) == .refused { throw ScanNotKept("the store is full") }
            },
            onExpired: { [expiredContinuation] in expiredContinuation.yield($0) },
            onChange: { [changesContinuation] in changesContinuation.yield($0.watch) })
    }

    /// Waits until every watch in `ids` has reported its end.
    func waitUntilEnded(_ ids: Set<String>) async {
        var remaining = ids
        for await watch in changes where !watch.state.isActive {
            remaining.remove(watch.id)
            if remaining.isEmpty { return }
        }
    }

    /// The next reported change of watch `id` that satisfies `condition`.
    func change(of id: String, where condition: (Watch) -> Bool) async -> Watch? {
        for await watch in changes where watch.id == id && condition(watch) { return watch }
        return nil
    }
}
