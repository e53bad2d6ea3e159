import Foundation

extension StateJournal {
    /// Replaces the journal so far with a snapshot of the owner's state, if `isCompactionDue`; returns whether it did.
    ///
    /// `state` is called after the journal has switched to a new segment N and must return the owner's full state
    /// as records. They go to `snapshot-N.tmp`, which is synced, renamed to `snapshot-N` and made durable with a sync
    /// of the directory; only then are the older segments and snapshots deleted. A crash at any step leaves either
    /// the old files or the new snapshot complete, and replay picks whichever is intact and newest.
    @discardableResult
    public func compactIfDue(state: @Sendable () async throws -> [JournalRecord]) async throws -> Bool {
        guard isCompactionDue else { return false }
        return try await compact(state: state)
    }

    /// Compacts now, whatever the size; returns false if another compaction is already running.
    @discardableResult
    public func compact(state: @Sendable () async throws -> [JournalRecord]) async throws -> Bool {
        // Marked only when it starts: a refused call that marked it anyway (the journal closed meanwhile) would leave
        // a compaction "running" forever, and a `close()` between its two steps would wait for it forever.
        let started = lifecycle.withLock { lifecycle -> Bool in
            guard !lifecycle.compacting && !lifecycle.closed else { return false }
            lifecycle.compacting = true
            return true
        }
        guard started else { return false }
        defer {
            let waiters = lifecycle.withLock { lifecycle in
                lifecycle.compacting = false
                defer { lifecycle.compactionWaiters = [] }
                return lifecycle.compactionWaiters
            }
            waiters.forEach { $0.resume() }
        }

        let index = try await writer.rotate()
        let records = try await state()
        var bytes: [UInt8] = []
        for record in records {
            guard record.kind != SnapshotTrailer.kind else { throw JournalError.reservedKind }
            guard record.payload.count <= options.maxRecordBytes else {
                throw JournalError.recordTooLarge(bytes: record.payload.count, limit: options.maxRecordBytes)
            }
            RecordFrame.encode(kind: record.kind, payload: record.payload, into: &bytes)
        }
        SnapshotTrailer.encode(count: records.count, into: &bytes)
        let directory = directory
        try await Self.onOwnThread { [bytes] () throws(JournalError) in
            try Self.writeSnapshot(bytes, index: index, in: directory)
        }
        lifecycle.withLock { $0.snapshotBytes = bytes.count }
        writer.withState { $0.statistics.compactions += 1 }
        return true
    }

    private static func writeSnapshot(_ bytes: [UInt8], index: UInt64, in directory: JournalDirectory) throws(JournalError) {
        let temporary = directory.unfinishedSnapshotPath(index)
        let file = try JournalFile.open(temporary, flags: O_WRONLY | O_CREAT | O_TRUNC)
        do throws(JournalError) {
            try file.writeAll(bytes)
            try file.sync()
            file.close()
        } catch {
            file.close()
            try? directory.remove(temporary)
            throw error
        }
        let final = directory.snapshotPath(index)
        guard rename(temporary, final) == 0 else {
            let code = errno
            try? directory.remove(temporary)
            throw .io(operation: "rename", path: final, errno: code)
        }
        try directory.sync()
        for entry in try directory.entries() {
            switch entry {
            case .segment(let old) where old < index: try directory.remove(directory.segmentPath(old))
            case .snapshot(let old) where old < index: try directory.remove(directory.snapshotPath(old))
            default: break
            }
        }
        try directory.sync()
    }

    /// Runs blocking file work on a thread of its own, keeping it off Swift's cooperative pool.
    private static func onOwnThread(_ work: @escaping @Sendable () throws(JournalError) -> Void) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread {
                continuation.resume(with: Result<Void, JournalError> { () throws(JournalError) in try work() }
                    .mapError { $0 as any Error })
            }.start()
        }
    }
}
