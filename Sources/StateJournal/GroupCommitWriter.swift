import Dispatch
import Foundation
import Locking

/// The one thread that writes and syncs the current segment, committing appends in groups.
///
/// Appenders hand over encoded frames and wait. The writer takes everything queued, writes it with one `write`
/// and makes it durable with one `fdatasync`, then resumes every appender of that batch; whatever arrives while the
/// sync is in flight forms the next batch. Blocking calls stay on this thread, off Swift's cooperative pool.
///
/// A failed write or sync loses its batch and everything queued behind it (their waiters hear the error; a later
/// record may depend on an earlier one, so none goes on regardless), and every submission is refused until the
/// writer has recovered: every `recoveryInterval` it cuts the segment back to the end of its last synced frame — a
/// write cut short by a full disk leaves part of a frame behind, a failed sync pages the kernel may have dropped —
/// then writes, syncs and cuts off again a padding frame at least as large as the failed batch, to prove the disk takes
/// writes again.
final class GroupCommitWriter: Sendable {
    private let directory: JournalDirectory
    /// Between recovery attempts, in nanoseconds (`JournalOptions.recoveryInterval`).
    private let recoveryNanoseconds: Int
    private let state: Locked<State>
    private let wake = DispatchSemaphore(value: 0)

    /// Test hooks: the next write or sync fails with this errno, or every write does until cleared. A failing next
    /// write writes half its batch first, as a disk filling up mid-write does.
    package struct Faults: Sendable {
        package var failNextWrite: Int32?
        package var failNextSync: Int32?
        package var failWrites: Int32?
    }

    struct State {
        var pending: [UInt8] = []
        var pendingRecords = 0
        /// Submissions so far; each one's number is its position.
        var submitted: UInt64 = 0
        /// Every submission up to this position is settled: on disk, or lost to a failure (see `lost`).
        var durable: UInt64 = 0
        /// The positions failed writes lost, in order; one range per failure that lost any.
        var lost: [ClosedRange<UInt64>] = []
        var waiters: [(position: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
        var rotation: CheckedContinuation<UInt64, any Error>?
        var closed: CheckedContinuation<Void, Never>?
        var closing = false
        /// Set by a failed write or sync until the writer recovers; every submission is refused meanwhile.
        var failure: JournalError?
        /// The size of the batch that failed: a recovery proves at least this much fits before it reports healthy.
        var failedBatchBytes = 0
        var health = JournalHealth.healthy
        var onRecovery: (@Sendable () -> Void)?
        var faults = Faults()
        var statistics = JournalStatistics()
        /// Bytes in the segments since the last snapshot (those a replay reads after it).
        var liveBytes: Int

        func isLost(_ position: UInt64) -> Bool {
            // Newest first: a waiter usually asks about a recent position.
            for range in lost.reversed() {
                if range.contains(position) { return true }
                if range.upperBound < position { return false }
            }
            return false
        }
    }

    /// Owned by the writer thread alone once it runs.
    private struct Segment {
        var index: UInt64
        var file: JournalFile
        /// Bytes up to the end of the last synced frame.
        var size: Int
    }

    init(
        directory: JournalDirectory, segmentIndex: UInt64, liveBytes: Int, recoveryInterval: Duration
    ) throws(JournalError) {
        self.directory = directory
        let (seconds, attoseconds) = recoveryInterval.components
        recoveryNanoseconds = max(1_000_000, Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
        state = Locked(State(liveBytes: liveBytes))
        let file = try JournalFile.open(directory.segmentPath(segmentIndex), flags: O_WRONLY | O_APPEND)
        let size: Int
        do { size = try file.seekToEnd() } catch { file.close(); throw error }
        let segment = Segment(index: segmentIndex, file: file, size: size)
        let thread = Thread { [self] in run(segment) }
        thread.name = "scanrelay-journal"
        thread.start()
    }

    /// Queues encoded frames behind everything submitted before; returns their position without waiting.
    func submit(_ frames: [UInt8], records: Int) throws(JournalError) -> UInt64 {
        let position = try state.withLock { (state) throws(JournalError) -> UInt64 in
            if state.closing { throw .closed }
            if let failure = state.failure { throw failure }
            if frames.isEmpty { return state.submitted }
            state.pending.append(contentsOf: frames)
            state.pendingRecords += records
            state.submitted += 1
            return state.submitted
        }
        wake.signal()
        return position
    }

    /// Returns once everything up to `position` (default: everything submitted so far) is on disk; throws if that
    /// position was lost to a failed write, or the journal cannot write now.
    func waitUntilDurable(_ position: UInt64? = nil) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let outcome: Result<Bool, JournalError> = state.withLock { state in
                let target = position ?? state.submitted
                if state.durable >= target {
                    if state.isLost(target) { return .failure(state.failure ?? .failed(underlying: "write failed")) }
                    return .success(true)
                }
                if let failure = state.failure { return .failure(failure) }
                if state.closing { return .failure(.closed) }
                state.waiters.append((target, continuation))
                return .success(false)
            }
            switch outcome {
            case .success(true): continuation.resume()
            case .success(false): break
            case .failure(let error): continuation.resume(throwing: error)
            }
        }
    }

    /// Starts a new segment for every later batch; returns its index.
    func rotate() async throws -> UInt64 {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<UInt64, any Error>) in
            let refusal: JournalError? = state.withLock { state in
                if state.closing { return .closed }
                if let failure = state.failure { return failure }
                precondition(state.rotation == nil, "one rotation at a time")
                state.rotation = continuation
                return nil
            }
            if let refusal { continuation.resume(throwing: refusal) } else { wake.signal() }
        }
    }

    /// Writes what is queued, then stops the thread.
    func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            state.withLock { state in
                state.closing = true
                state.closed = continuation
            }
            wake.signal()
        }
    }

    func withState<T>(_ body: (inout State) -> T) -> T {
        state.withLock { body(&$0) }
    }

    private func run(_ initial: Segment) {
        var segment = initial
        while true {
            if state.withLock({ $0.failure != nil }) {
                _ = wake.wait(timeout: .now() + .nanoseconds(recoveryNanoseconds))
                if !state.withLock({ $0.closing }) { recover(&segment) }
            } else {
                wake.wait()
            }
            let (frames, records, upTo, rotation, closing, faults) = state.withLock { state in
                defer {
                    state.pending = []
                    state.pendingRecords = 0
                    state.rotation = nil
                }
                // Injected faults wait for a batch to hit (wakes can outnumber batches).
                var faults = Faults(failWrites: state.faults.failWrites)
                if !state.pending.isEmpty { swap(&faults, &state.faults) }
                return (state.pending, state.pendingRecords, state.submitted, state.rotation, state.closing, faults)
            }
            if !frames.isEmpty { commit(frames, records: records, upTo: upTo, to: &segment, faults: faults) }
            if let rotation {
                // Not after a failed batch: the segment keeps its torn tail until a recovery cuts it off.
                if let failure = state.withLock({ $0.failure }) {
                    rotation.resume(throwing: failure)
                } else {
                    rotation.resume(with: Result { try startSegment(after: &segment) })
                }
            }
            if closing {
                // A failure not yet recovered from may have left part of a frame behind: cut it off now rather
                // than leave it for the next start to set aside as damage.
                if state.withLock({ $0.failure != nil }) { try? segment.file.truncate(to: segment.size) }
                segment.file.close()
                // Submissions after the flag was raised were refused, so nothing is left behind.
                let closed = state.withLock { $0.closed }
                closed?.resume()
                return
            }
        }
    }

    /// Writes and syncs one batch, then resumes its waiters.
    private func commit(_ frames: [UInt8], records: Int, upTo: UInt64, to segment: inout Segment, faults: Faults) {
        let outcome = Result<Void, JournalError> { () throws(JournalError) in
            try write(frames, to: &segment, faults: faults)
        }
        let resumed = state.withLock { state in
            switch outcome {
            case .success:
                state.durable = upTo
                state.liveBytes += frames.count
                state.statistics.records += records
                state.statistics.syncs += 1
                state.statistics.largestBatch = max(state.statistics.largestBatch, records)
            case .failure(let error):
                // The batch and everything queued behind it are lost; later ones depend on earlier ones.
                let failure = JournalError.failed(underlying: error.description)
                state.failure = failure
                state.health = .recovering(reason: error.description)
                state.statistics.writeFailures += 1
                state.failedBatchBytes = frames.count
                if state.submitted > state.durable { state.lost.append(state.durable + 1...state.submitted) }
                state.durable = state.submitted
                state.pending = []
                state.pendingRecords = 0
            }
            let (done, waiting) = state.waiters.partitioned { outcome.isFailure || $0.position <= upTo }
            state.waiters = waiting
            return done
        }
        // The failed batch hears the same error every append hears until the writer has recovered.
        let result = outcome.mapError { JournalError.failed(underlying: $0.description) as any Error }
        for waiter in resumed { waiter.continuation.resume(with: result) }
    }

    /// Writes one batch and syncs it.
    private func write(_ frames: [UInt8], to segment: inout Segment, faults: Faults) throws(JournalError) {
        if let code = faults.failNextWrite ?? faults.failWrites {
            // As a disk filling up mid-write: part of the batch reaches the file, the rest does not.
            try segment.file.writeAll(Array(frames.prefix(frames.count / 2)))
            throw .io(operation: "write", path: segment.file.path, errno: code)
        }
        try segment.file.writeAll(frames)
        if let code = faults.failNextSync { throw .io(operation: "fdatasync", path: segment.file.path, errno: code) }
        try segment.file.syncData()
        segment.size += frames.count
    }

    /// One attempt to make the segment writable again: cut it back to its last synced frame, then prove the disk
    /// takes writes: a padding frame (kind 0, which replay skips in a segment) at least as large as the batch that
    /// failed, and never under `minimumProbeBytes`, is written and synced, then cut off again. A few bytes fit into a
    /// full disk's last partial block and would report the journal healthy while the next real batch fails again (the
    /// readiness would flap); a probe the size of real work does not. A full disk keeps the journal `recovering`; any
    /// other error (a read-only remount, a failing device) is reported as `failed`, for a restart to handle.
    private func recover(_ segment: inout Segment) {
        let (failWrites, failedBatch) = state.withLock { ($0.faults.failWrites, $0.failedBatchBytes) }
        var probe: [UInt8] = []
        RecordFrame.encode(
            kind: SnapshotTrailer.kind, payload: repeatElement(0, count: max(failedBatch, Self.minimumProbeBytes)),
            into: &probe)
        do throws(JournalError) {
            try segment.file.truncate(to: segment.size)
            if let code = failWrites { throw .io(operation: "write", path: segment.file.path, errno: code) }
            try segment.file.writeAll(probe)
            try segment.file.syncData()
            try segment.file.truncate(to: segment.size)
            try segment.file.syncData()
        } catch {
            // Whatever part of the probe reached the file is cut off by the next attempt (or at close).
            state.withLock { state in
                state.health = error.isOutOfSpace
                    ? .recovering(reason: error.description) : .failed(reason: error.description)
                state.failure = .failed(underlying: error.description)
            }
            return
        }
        let onRecovery = state.withLock { state in
            state.failure = nil
            state.health = .healthy
            state.failedBatchBytes = 0
            state.statistics.recoveries += 1
            return state.onRecovery
        }
        onRecovery?()
    }

    /// The smallest proof that a disk takes writes again: larger than a page, so a page's slack cannot pass for free
    /// space. (64 KiB made the recovery tests miss their deadlines under ThreadSanitizer; one page plus a frame is
    /// what the proof needs.)
    static let minimumProbeBytes = 4 << 10

    private func startSegment(after segment: inout Segment) throws(JournalError) -> UInt64 {
        let next = segment.index + 1
        let file = try JournalFile.open(directory.segmentPath(next), flags: O_WRONLY | O_APPEND | O_CREAT | O_TRUNC)
        do { try directory.sync() } catch { file.close(); throw error }
        segment.file.close()
        segment = Segment(index: next, file: file, size: 0)
        state.withLock { $0.liveBytes = 0 }
        return next
    }
}

extension Result {
    fileprivate var isFailure: Bool {
        if case .failure = self { true } else { false }
    }
}

extension Array {
    /// The elements that satisfy `belongs`, and the rest, each in their order.
    fileprivate func partitioned(_ belongs: (Element) -> Bool) -> (matching: [Element], rest: [Element]) {
        var matching: [Element] = [], rest: [Element] = []
        for element in self {
            if belongs(element) { matching.append(element) } else { rest.append(element) }
        }
        return (matching, rest)
    }
}
