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

    public init(maxRecordBytes: Int = 16 << 20, compactionThresholdBytes: Int = 64 << 20) {
        precondition(maxRecordBytes > 0 && maxRecordBytes <= Int(UInt32.max), "record size limit out of range")
        precondition(compactionThresholdBytes > 0, "compaction threshold must be positive")
        self.maxRecordBytes = maxRecordBytes
        self.compactionThresholdBytes = compactionThresholdBytes
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
}
