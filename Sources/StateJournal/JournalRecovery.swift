import Foundation

/// Start-up: picks the newest intact snapshot, replays it and the segments after it, and sets damage aside.
///
/// Damage never fails start-up, and is never destroyed. Within a segment, replay stops at the first frame that is
/// incomplete, implausibly long or fails its checksum: without a trustworthy length there is no telling where the
/// next record would start. The bytes from there to the end are copied to `journal-N.damaged-<UTC time>` in the
/// state directory (synced) before the segment is cut back to its intact frames, so appends continue after them
/// and whoever investigates has every byte. A warning names both files, the offset and the cause (never a record's
/// contents). Replay then goes on with the next segment, if any: records are independent state changes, so each
/// verified one is worth keeping. A snapshot is all or nothing: a damaged one is renamed
/// `snapshot-N.damaged-<UTC time>` and an older one is used.
struct JournalRecovery {
    let directory: JournalDirectory
    let options: JournalOptions
    let warn: @Sendable (String) -> Void

    /// Where appends continue and how much the segments since the chosen snapshot already hold.
    struct Outcome {
        var snapshotIndex: UInt64
        var snapshotBytes: Int
        var segmentIndex: UInt64
        var segmentBytes: Int
        var liveBytes: Int
        /// The files damage was moved to, in the state directory.
        var damagedFiles: [String] = []
    }

    func run(visit: (JournalRecord) -> Void) throws(JournalError) -> Outcome {
        let entries = try directory.entries()
        for case .unfinishedSnapshot(let name) in entries {
            try directory.remove("\(directory.path)/\(name)")
        }

        var snapshotIndex: UInt64 = 0
        var snapshotBytes = 0
        var damagedFiles: [String] = []
        let snapshots = entries.compactMap { if case .snapshot(let index) = $0 { index } else { nil } }
        for index in snapshots.sorted(by: >) {
            if let records = try readSnapshot(index, setAsideTo: &damagedFiles) {
                snapshotIndex = index
                snapshotBytes = records.bytes
                records.list.forEach(visit)
                break
            }
        }

        let segments = entries.compactMap { if case .segment(let index) = $0 { index } else { nil } }.sorted()
        for index in segments where index < snapshotIndex {
            try directory.remove(directory.segmentPath(index))
        }
        var liveBytes = 0
        var lastSegment: (index: UInt64, bytes: Int)?
        for index in segments where index >= snapshotIndex {
            let bytes = try replaySegment(index, setAsideTo: &damagedFiles, visit: visit)
            liveBytes += bytes
            lastSegment = (index, bytes)
        }

        if let lastSegment {
            return Outcome(
                snapshotIndex: snapshotIndex, snapshotBytes: snapshotBytes,
                segmentIndex: lastSegment.index, segmentBytes: lastSegment.bytes, liveBytes: liveBytes,
                damagedFiles: damagedFiles
            )
        }
        let first = max(snapshotIndex, 1)
        let created = try JournalFile.open(directory.segmentPath(first), flags: O_WRONLY | O_CREAT)
        created.close()
        try directory.sync()
        return Outcome(
            snapshotIndex: snapshotIndex, snapshotBytes: snapshotBytes, segmentIndex: first, segmentBytes: 0, liveBytes: 0,
            damagedFiles: damagedFiles
        )
    }

    /// A snapshot's records if every frame is intact and the trailer's count matches; nil (with a warning, the file
    /// renamed aside) if not.
    private func readSnapshot(
        _ index: UInt64, setAsideTo damagedFiles: inout [String]
    ) throws(JournalError) -> (list: [JournalRecord], bytes: Int)? {
        let path = directory.snapshotPath(index)
        let file = try JournalFile.open(path, flags: O_RDONLY)
        defer { file.close() }
        let bytes = try file.readAll()
        var records: [JournalRecord] = []
        var trailerCount: UInt64?
        var misplacedTrailer = false
        let result = bytes.withUnsafeBytes { buffer in
            FrameScanner(maxPayloadBytes: options.maxRecordBytes).scan(buffer) { kind, payload in
                if trailerCount != nil { misplacedTrailer = true }
                if kind == SnapshotTrailer.kind, payload.count == 8 {
                    trailerCount = RecordFrame.readLittleEndian(UInt64.self, payload, at: 0)
                } else {
                    records.append(JournalRecord(kind: kind, payload: Array(payload)))
                }
            }
        }
        let problem: String? =
            if let damage = result.damage { damage.description }
            else if misplacedTrailer { "records after its trailer" }
            else if trailerCount == nil { "no trailer (incomplete)" }
            else if trailerCount != UInt64(records.count) { "trailer counts \(trailerCount!) records, found \(records.count)" }
            else { nil }
        if let problem {
            let aside = try directory.damagedPath(for: path)
            guard rename(path, aside) == 0 else { throw .io(operation: "rename", path: aside, errno: errno) }
            try directory.sync()
            damagedFiles.append(aside)
            warn("state journal: damaged \(path): \(problem); renamed it to \(aside), falling back to an older state")
            return nil
        }
        return (records, bytes.count)
    }

    /// Replays one segment, moving the bytes from its first damaged frame on to a file of their own; returns its
    /// (remaining) size.
    private func replaySegment(
        _ index: UInt64, setAsideTo damagedFiles: inout [String], visit: (JournalRecord) -> Void
    ) throws(JournalError) -> Int {
        let path = directory.segmentPath(index)
        let file = try JournalFile.open(path, flags: O_RDWR)
        defer { file.close() }
        let bytes = try file.readAll()
        var kept = 0
        let result = bytes.withUnsafeBytes { buffer in
            FrameScanner(maxPayloadBytes: options.maxRecordBytes).scan(buffer) { kind, payload in
                guard kind != SnapshotTrailer.kind else { return }
                visit(JournalRecord(kind: kind, payload: Array(payload)))
                kept += 1
            }
        }
        if let damage = result.damage {
            // Kept first, cut second: a crash between the two finds the damage again and keeps it again.
            let aside = try directory.damagedPath(for: path)
            let copy = try JournalFile.open(aside, flags: O_WRONLY | O_CREAT | O_EXCL)
            do throws(JournalError) {
                try copy.writeAll(Array(bytes[result.validLength...]))
                try copy.sync()
                copy.close()
            } catch {
                copy.close()
                try? directory.remove(aside)
                throw error
            }
            try directory.sync()
            try file.truncate(to: result.validLength)
            try file.syncData()
            damagedFiles.append(aside)
            warn(
                "state journal: \(path): \(damage); kept the \(kept) records before it and moved the "
                    + "\(bytes.count - result.validLength) bytes from there on to \(aside)"
            )
        }
        return result.validLength
    }
}

/// The last frame of every snapshot: kind 0 with the number of records before it, proving the file is complete.
enum SnapshotTrailer {
    static let kind: UInt8 = 0

    static func encode(count: Int, into buffer: inout [UInt8]) {
        var payload: [UInt8] = []
        RecordFrame.appendLittleEndian(UInt64(count), to: &payload)
        RecordFrame.encode(kind: kind, payload: payload, into: &buffer)
    }

    /// A frame that carries nothing: written to a segment to prove it takes writes again after a failure. Replay
    /// skips kind 0 in segments (every version did), so old and new binaries read the segment alike.
    static func encodePadding(into buffer: inout [UInt8]) {
        RecordFrame.encode(kind: kind, payload: [], into: &buffer)
    }
}
