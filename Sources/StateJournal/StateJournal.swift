import Locking

/// An append-only, checksummed, fsynced journal of opaque records in a state directory, compacted by snapshots.
///
/// The owner keeps its state in memory and journals each change: `append` returns only once the records are on
/// disk (answer 2xx after it, 503 if it throws). `open` replays the newest intact snapshot and the segments after it.
///
/// The owner's side of the contract:
/// - Make every record in the older segments part of the state a snapshot captures: the snapshot is taken after the
///   journal has moved on to a new segment. Applying a change before appending it does that; an owner that records a
///   change first (so a failed write leaves nothing visible) must have the capture wait until it is applied.
/// - Replay idempotently: a record written while a snapshot was being captured may be both in the snapshot and in the
///   segment after it, and concurrent appends of one key may land in either order.
public final class StateJournal: Sendable {
    public let options: JournalOptions
    let directory: JournalDirectory
    let writer: GroupCommitWriter
    private let lockFile: JournalFile
    let lifecycle: Locked<Lifecycle>

    struct Lifecycle {
        /// The size of the last snapshot: compaction waits until the segments after it have grown as large.
        var snapshotBytes: Int
        var compacting = false
        var closed = false
        /// `close` calls waiting for a running compaction to finish with the directory.
        var compactionWaiters: [CheckedContinuation<Void, Never>] = []
    }

    /// Opens (creating if needed) the journal in `directory`, replaying its records into `replay` in order before it
    /// returns. Damage is set aside and reported through `warn` (see `JournalRecovery`); only an unusable or unsafe
    /// directory throws (see `JournalDirectory.verifySafe`).
    public init(
        directory path: String,
        options: JournalOptions = JournalOptions(),
        warn: @escaping @Sendable (String) -> Void,
        replay: (JournalRecord) -> Void
    ) throws(JournalError) {
        let directory = JournalDirectory(path: path)
        try directory.create()
        try directory.verifySafe()
        let lockFile = try directory.lock()
        do {
            let recovered = try JournalRecovery(directory: directory, options: options, warn: warn).run(visit: replay)
            let writer = try GroupCommitWriter(
                directory: directory, segmentIndex: recovered.segmentIndex, liveBytes: recovered.liveBytes,
                recoveryInterval: options.recoveryInterval
            )
            writer.withState { $0.statistics.damagedFilesSetAside = recovered.damagedFiles.count }
            self.writer = writer
            lifecycle = Locked(Lifecycle(snapshotBytes: recovered.snapshotBytes))
        } catch {
            lockFile.close()
            throw error
        }
        self.options = options
        self.directory = directory
        self.lockFile = lockFile
    }

    /// Makes `records` durable, in order, in one batch with whatever other appends are waiting.
    public func append(_ records: [JournalRecord]) async throws {
        guard !records.isEmpty else { return }
        let position = try submit(records)
        try await writer.waitUntilDurable(position.value)
    }

    public func append(_ record: JournalRecord) async throws {
        try await append([record])
    }

    /// Queues `records` behind everything submitted before, without waiting for the disk: for changes nobody
    /// answers for (poll results, watch schedules), made in an order that must be kept. `waitUntilDurable` awaits
    /// them (and everything before); a failure to write them makes every later wait and append fail.
    @discardableResult
    public func submit(_ records: [JournalRecord]) throws(JournalError) -> JournalPosition {
        var frames: [UInt8] = []
        for record in records {
            guard record.kind != SnapshotTrailer.kind else { throw .reservedKind }
            guard record.payload.count <= options.maxRecordBytes else {
                throw .recordTooLarge(bytes: record.payload.count, limit: options.maxRecordBytes)
            }
            RecordFrame.encode(kind: record.kind, payload: record.payload, into: &frames)
        }
        return JournalPosition(value: try writer.submit(frames, records: records.count))
    }

    /// Returns once everything submitted up to `position` — by default, everything submitted so far — is on disk.
    public func waitUntilDurable(_ position: JournalPosition? = nil) async throws {
        try await writer.waitUntilDurable(position?.value)
    }

    public var statistics: JournalStatistics {
        writer.withState { $0.statistics }
    }

    /// Whether `close` has begun: every submission from then on is refused.
    public var isClosed: Bool {
        lifecycle.withLock { $0.closed }
    }

    /// Whether appends are accepted now, or refused while the writer recovers from a failed write.
    public var health: JournalHealth {
        writer.withState { $0.health }
    }

    /// Calls `handler` (on the writer's thread; it must not block) each time the writer writes again after a
    /// failure: the batches lost meanwhile may have carried changes the owner kept in memory, which a snapshot
    /// can now make durable.
    public func onRecovery(_ handler: @escaping @Sendable () -> Void) {
        writer.withState { $0.onRecovery = handler }
    }

    /// Whether the segments since the last snapshot have outgrown the threshold (see `JournalOptions`) and no
    /// compaction is running.
    public var isCompactionDue: Bool {
        let lifecycle = lifecycle.withLock { $0 }
        let live = writer.withState { $0.liveBytes }
        return !lifecycle.compacting && live >= max(options.compactionThresholdBytes, lifecycle.snapshotBytes)
    }

    /// Writes what is queued, stops the writer and releases the directory.
    public func close() async {
        let wasClosed = lifecycle.withLock { lifecycle in
            defer { lifecycle.closed = true }
            return lifecycle.closed
        }
        guard !wasClosed else { return }
        // A compaction still writing its snapshot or deleting old files must be done before the lock is released.
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let running = lifecycle.withLock { lifecycle in
                if lifecycle.compacting { lifecycle.compactionWaiters.append(continuation) }
                return lifecycle.compacting
            }
            if !running { continuation.resume() }
        }
        await writer.close()
        lockFile.close()
    }
}

/// Where a submission stands in the journal's order.
public struct JournalPosition: Sendable, Hashable {
    let value: UInt64
}

extension StateJournal {
    /// Test hook: makes the next batch's write or sync fail with `errno`, as a full disk or a failing device would.
    package func injectFault(failNextWrite: Int32? = nil, failNextSync: Int32? = nil) {
        writer.withState { state in
            state.faults.failNextWrite = failNextWrite
            state.faults.failNextSync = failNextSync
        }
    }

    /// Test hook: makes every write fail with `errno` (nil: succeed again), as a disk that stays full would.
    package func failWrites(with errno: Int32?) {
        writer.withState { $0.faults.failWrites = errno }
    }
}
