import Dispatch
import Foundation
import Locking

/// The one thread that writes and syncs the current segment, committing appends in groups.
///
/// Appenders hand over encoded frames and wait. The writer takes everything queued, writes it with one `write`
/// and makes it durable with one `fdatasync`, then resumes every appender of that batch; whatever arrives while the
/// sync is in flight forms the next batch. Blocking calls stay on this thread, off Swift's cooperative pool.
final class GroupCommitWriter: Sendable {
    private let directory: JournalDirectory
    private let state: Locked<State>
    private let wake = DispatchSemaphore(value: 0)

    /// Test hooks: the next write or sync fails with this errno.
    package struct Faults: Sendable {
        package var failNextWrite: Int32?
        package var failNextSync: Int32?
    }

    struct State {
        var pending: [UInt8] = []
        var pendingRecords = 0
        /// Submissions so far; each one's number is its position.
        var submitted: UInt64 = 0
        /// Every submission up to this position is on disk.
        var durable: UInt64 = 0
        var waiters: [(position: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
        var rotation: CheckedContinuation<UInt64, any Error>?
        var closed: CheckedContinuation<Void, Never>?
        var closing = false
        var failure: JournalError?
        var faults = Faults()
        var statistics = JournalStatistics()
        /// Bytes in the segments since the last snapshot (those a replay reads after it).
        var liveBytes: Int
    }

    /// Owned by the writer thread alone once it runs.
    private struct Segment {
        var index: UInt64
        var file: JournalFile
        var size: Int
    }

    init(directory: JournalDirectory, segmentIndex: UInt64, liveBytes: Int) throws(JournalError) {
        self.directory = directory
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

    /// Returns once everything up to `position` (default: everything submitted so far) is on disk.
    func waitUntilDurable(_ position: UInt64? = nil) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let outcome: Result<Bool, JournalError> = state.withLock { state in
                if let failure = state.failure { return .failure(failure) }
                let target = position ?? state.submitted
                if state.durable >= target { return .success(true) }
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
            wake.wait()
            let (frames, records, upTo, rotation, closing, faults) = state.withLock { state in
                defer {
                    state.pending = []
                    state.pendingRecords = 0
                    state.rotation = nil
                }
                // Injected faults wait for a batch to hit (wakes can outnumber batches).
                var faults = Faults()
                if !state.pending.isEmpty { swap(&faults, &state.faults) }
                return (state.pending, state.pendingRecords, state.submitted, state.rotation, state.closing, faults)
            }
            if !frames.isEmpty {
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
                        state.failure = .failed(underlying: error.description)
                    }
                    let (done, waiting) = state.waiters.partitioned { outcome.isFailure || $0.position <= upTo }
                    state.waiters = waiting
                    return done
                }
                // The failed batch hears the same error every later append will: the journal is unavailable now.
                let result = outcome.mapError { JournalError.failed(underlying: $0.description) as any Error }
                for waiter in resumed { waiter.continuation.resume(with: result) }
            }
            if let rotation {
                rotation.resume(with: Result { try startSegment(after: &segment) })
            }
            if closing {
                segment.file.close()
                // Submissions after the flag was raised were refused, so nothing is left behind.
                let closed = state.withLock { $0.closed }
                closed?.resume()
                return
            }
        }
    }

    /// Writes one batch and syncs it. Any failure poisons the journal (see `JournalError.failed`): after a failed
    /// sync the kernel may have dropped unsynced pages, and after a failed write the records submitted without
    /// waiting (poll results, watch changes) would leave a silent hole if later batches went on regardless.
    private func write(_ frames: [UInt8], to segment: inout Segment, faults: Faults) throws(JournalError) {
        if let code = faults.failNextWrite { throw .io(operation: "write", path: segment.file.path, errno: code) }
        try segment.file.writeAll(frames)
        if let code = faults.failNextSync { throw .io(operation: "fdatasync", path: segment.file.path, errno: code) }
        try segment.file.syncData()
        segment.size += frames.count
    }

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
