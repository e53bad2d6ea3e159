import Foundation

/// Start-up: picks the newest intact snapshot, replays it and the segments after it, and cuts damaged tails off.
///
/// Damage never fails start-up. Within a segment, replay stops at the first frame that is incomplete, implausibly
/// long or fails its checksum; the segment is truncated there (the bytes after it are lost: without a trustworthy
/// length there is no telling where the next record would start) and a warning names the file, offset and cause.
/// Replay then goes on with the next segment, if any: records are independent state changes, so each verified one
/// is worth keeping. A snapshot is all or nothing: a damaged one is skipped for an older one.
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
    }

    func run(visit: (JournalRecord) -> Void) throws(JournalError) -> Outcome {
        let entries = try directory.entries()
        for case .unfinishedSnapshot(let name) in entries {
            try directory.remove("\(directory.path)/\(name)")
        }

        var snapshotIndex: UInt64 = 0
        var snapshotBytes = 0
        let snapshots = entries.compactMap { if case .snapshot(let index) = $0 { index } else { nil } }
        for index in snapshots.sorted(by: >) {
            if let records = try readSnapshot(index) {
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
            let bytes = try replaySegment(index, visit: visit)
            liveBytes += bytes
            lastSegment = (index, bytes)
        }

        if let lastSegment {
            return Outcome(
                snapshotIndex: snapshotIndex, snapshotBytes: snapshotBytes,
                segmentIndex: lastSegment.index, segmentBytes: lastSegment.bytes, liveBytes: liveBytes
            )
        }
        let first = max(snapshotIndex, 1)
        let created = try JournalFile.open(directory.segmentPath(first), flags: O_WRONLY | O_CREAT)
        created.close()
        try directory.sync()
        return Outcome(
            snapshotIndex: snapshotIndex, snapshotBytes: snapshotBytes, segmentIndex: first, segmentBytes: 0, liveBytes: 0
        )
    }

    /// A snapshot's records if every frame is intact and the trailer's count matches; nil (with a warning) if not.
    private func readSnapshot(_ index: UInt64) throws(JournalError) -> (list: [JournalRecord], bytes: Int)? {
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
            warn("state journal: ignoring damaged \(path): \(problem); falling back to an older state")
            return nil
        }
        return (records, bytes.count)
    }

    /// Replays one segment, truncating it at the first damaged frame; returns its (remaining) size.
    private func replaySegment(_ index: UInt64, visit: (JournalRecord) -> Void) throws(JournalError) -> Int {
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
            warn(
                "state journal: \(path): \(damage); dropped the last \(bytes.count - result.validLength) bytes, "
                    + "kept \(kept) records before them"
            )
            try file.truncate(to: result.validLength)
            try file.syncData()
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
}
