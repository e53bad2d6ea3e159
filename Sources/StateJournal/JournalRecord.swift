/// One opaque, typed entry of the journal: the owner decides what `kind` means and what the payload holds.
public struct JournalRecord: Sendable, Equatable {
    /// The owner's record type, 1...255 (0 is reserved for the journal's own snapshot trailer).
    public let kind: UInt8
    public let payload: [UInt8]

    public init(kind: UInt8, payload: [UInt8]) {
        self.kind = kind
        self.payload = payload
    }
}

/// Settings of a journal; the defaults suit a service whose records are scans and small keys.
public struct JournalOptions: Sendable {
    /// The largest payload one record may carry; a bigger append is refused, a bigger length on disk is damage.
    public var maxRecordBytes: Int
    /// Compaction is due once the segments written since the last snapshot hold this many bytes, or as many as the
    /// last snapshot, whichever is more — so rewriting the state costs at most about one byte per byte appended.
    public var compactionThresholdBytes: Int

    /// How long the writer waits between attempts to write again after a failed write or sync.
    public var recoveryInterval: Duration

    public init(
        maxRecordBytes: Int = 16 << 20, compactionThresholdBytes: Int = 64 << 20, recoveryInterval: Duration = .seconds(1)
    ) {
        precondition(maxRecordBytes > 0 && maxRecordBytes <= Int(UInt32.max), "record size limit out of range")
        precondition(compactionThresholdBytes > 0, "compaction threshold must be positive")
        precondition(recoveryInterval > .zero, "recovery interval must be positive")
        self.maxRecordBytes = maxRecordBytes
        self.compactionThresholdBytes = compactionThresholdBytes
        self.recoveryInterval = recoveryInterval
    }
}

/// Counters of the group-commit writer, for metrics and benchmarks.
public struct JournalStatistics: Sendable, Equatable {
    /// Records made durable.
    public var records = 0
    /// Batches written, one `fdatasync` each.
    public var syncs = 0
    /// The most records one batch carried.
    public var largestBatch = 0
    /// Snapshots completed.
    public var compactions = 0
    /// Batches whose write or sync failed.
    public var writeFailures = 0
    /// Times the writer wrote again after a failure.
    public var recoveries = 0
    /// Damaged files found at start: segment tails and snapshots moved aside (see `JournalRecovery`).
    public var damagedFilesSetAside = 0
}
