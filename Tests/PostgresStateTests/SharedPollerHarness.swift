import Foundation
import Polling
import PostgresState
import Providers
import ScanCore
import Locking

/// A Yandex-shaped upstream that counts the polls of each scan, answers `running` until a scan's `completeOnCall`-th
/// poll, and can hold chosen polls until the test lets them go (a replica stuck mid-poll).
final class CountingUpstream: UpstreamClient {
    private struct State {
        var calls: [String: Int] = [:]
        var held: Set<String> = []
        var waiting: [UUID: CheckedContinuation<Void, Never>] = [:]
    }

    let source: String
    let completeOnCall: Int
    private let state = Locked(State())

    init(source: String = "yandex-prod", completeOnCall: Int = 1) {
        self.source = source
        self.completeOnCall = completeOnCall
    }

    func calls(_ scanId: String) -> Int { state.withLock { $0.calls[scanId, default: 0] } }
    var totalCalls: Int { state.withLock { $0.calls.values.reduce(0, +) } }

    /// The next poll of `scanId` waits until ``releaseAll()``; later ones do not.
    func hold(_ scanId: String) { state.withLock { _ = $0.held.insert(scanId) } }

    func releaseAll() {
        let waiting = state.withLock { state in
            state.held = []
            defer { state.waiting = [:] }
            return state.waiting.values
        }
        for continuation in waiting { continuation.resume() }
    }

    func poll(_ ref: ScanRef, scanStartedAt: Date) async throws(UpstreamError) -> PollResult {
        guard case .yandexScan(let scanId) = ref else { return .noScanYet }
        let call = state.withLock { state in
            state.calls[scanId, default: 0] += 1
            return state.calls[scanId, default: 0]
        }
        // A held poll ends early when its task is cancelled, as a real client's request is closed.
        let ticket = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    guard state.held.remove(scanId) != nil, !Task.isCancelled else { return true }
                    state.waiting[ticket] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiting.removeValue(forKey: ticket) }?.resume()
        }
        if Task.isCancelled { throw .transport("the request was cancelled") }
        let status: ScanStatus = call >= completeOnCall ? .completed : .running
        let update = ScanUpdate(
            source: source, provider: .yandex, upstreamId: scanId,
            subject: ScanSubject(imageId: "crp0a1b2c3d4/app@sha256:\(scanId)"), status: status,
            upstreamStatus: status == .completed ? "READY" : "RUNNING", upstreamUpdatedAt: .t(Double(call)),
            completedAt: status == .completed ? .t(Double(call)) : nil,
            findings: status == .completed ? Findings(critical: call, high: 2) : nil, via: .poll,
            raw: Array(#"{"id":"\#(scanId)","status":"\#(status == .completed ? "READY" : "RUNNING")"}"#.utf8))
        return .scan(update, following: ref)
    }
}

/// A replica's view of the shared watches that the test can kill (every call fails without reaching the database,
/// as after `kill -9`) or pause and resume (every call waits meanwhile, as under `kill -STOP` and `kill -CONT`), and
/// that records what `finish` answered.
final class ReplicaStore: LeasedWatchStore {
    typealias Fence = WatchFence
    struct Dead: Error {}

    let store: PostgresWatchStore
    private let state = Locked<(dead: Bool, paused: Bool, finishes: [Watch?], renewals: [Bool])>((false, false, [], []))

    init(_ store: PostgresWatchStore) { self.store = store }

    func kill() { state.withLock { $0.dead = true } }
    func pause() { state.withLock { $0.paused = true } }
    func resume() { state.withLock { $0.paused = false } }
    var finishes: [Watch?] { state.withLock { $0.finishes } }
    /// What each lease renewal answered (false: the lease had passed to another replica).
    var renewals: [Bool] { state.withLock { $0.renewals } }

    /// Passes while the replica runs; waits while it is paused (throws if cancelled meanwhile); throws once killed.
    func alive() async throws {
        while state.withLock({ $0.paused }) { try await Task.sleep(for: .milliseconds(20)) }
        if state.withLock({ $0.dead }) { throw Dead() }
    }

    func leaseDue(source: String, limit: Int, ttl: Duration) async throws -> [LeasedWatchState<WatchFence>] {
        try await alive()
        return try await store.leaseDue(source: source, limit: limit, ttl: ttl)
    }

    func renew(_ fence: WatchFence, ttl: Duration) async throws -> Bool {
        try await alive()
        let renewed = try await store.renew(fence, ttl: ttl)
        state.withLock { $0.renewals.append(renewed) }
        return renewed
    }

    func finish(_ fence: WatchFence, _ step: PollTransition.Step) async throws -> Watch? {
        try await alive()
        let watch = try await store.finish(fence, step)
        state.withLock { $0.finishes.append(watch) }
        return watch
    }

    func release(_ fence: WatchFence) async throws {
        try await alive()
        try await store.release(fence)
    }

    func expireDue(limit: Int) async throws -> [Watch] {
        try await alive()
        return try await store.expireDue(limit: limit)
    }
}

/// One replica's poller over the shared database, running until stopped.
struct RunningPoller {
    let replica: ReplicaStore
    let poller: SharedWatchPoller<ReplicaStore>
    let task: Task<Void, Never>
    /// What the sink was told by the database for each scan handed to it: kept, or refused for a lost lease.
    let kept: KeepLog

    func stop() async {
        task.cancel()
        await task.value
    }
}

final class KeepLog: Sendable {
    private let outcomes = Locked<[KeepOutcome]>([])
    func append(_ outcome: KeepOutcome) { outcomes.withLock { $0.append(outcome) } }
    var all: [KeepOutcome] { outcomes.withLock { $0 } }
}

enum SharedPolling {
    /// Times shrunk for tests: a lease of 3 × 500 ms, renewed every 500 ms; polls 100 ms apart; first polls due at
    /// creation.
    static func policy(requestTimeout: Duration = .milliseconds(500)) -> PollPolicy {
        var policy = PollPolicy()
        policy.unknownSize = .init(min: .zero, max: .zero)
        policy.interval = .init(min: .milliseconds(100), max: .milliseconds(100))
        policy.backoff = .init(min: .milliseconds(100), max: .milliseconds(200))
        policy.requestTimeout = requestTimeout
        return policy
    }

    static func start(
        owner: String, database: PostgresScanState, upstream: CountingUpstream, policy: PollPolicy
    ) -> RunningPoller {
        let replica = ReplicaStore(PostgresWatchStore(database: database, owner: owner, policy: policy))
        let kept = KeepLog()
        let poller = SharedWatchPoller(
            policy: policy, sources: [upstream.source: .init(provider: .yandex, client: upstream)], store: replica,
            tick: .milliseconds(50),
            sink: { update, fence throws(ScanNotKept) in
                let outcome: KeepOutcome
                do {
                    try await replica.alive()
                    outcome = try await database.keep(update, fence: fence)
                } catch {
                    throw ScanNotKept("\(error)")
                }
                kept.append(outcome)
                if outcome == .fenceLost { throw ScanNotKept("the lease was lost") }
            })
        let task = Task { await poller.run() }
        return RunningPoller(replica: replica, poller: poller, task: task, kept: kept)
    }

    /// Waits (at most `seconds`) until `condition` holds; false if it never did.
    static func eventually(within seconds: Double = 20, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try await condition()
    }
}

extension ReplicaStore {
    func pollNow(_ ref: ScanRef, source: String) async throws -> Int {
        try await alive()
        return try await store.pollNow(ref, source: source)
    }
}
