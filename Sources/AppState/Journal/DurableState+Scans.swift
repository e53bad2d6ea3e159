import Foundation
import ScanCore
import StateJournal

/// Putting a scan into the cache and the journal together, so that what readers see is what a restart brings back.
///
/// Both paths preview the merge (`ScanStore.apply(_:now:admittedIf:)` saying no), record the scan it would make,
/// and then apply the same update with the same clock, admitting only that very outcome. When another change of the
/// scan came in between, the outcome differs, nothing is applied, and the merge is tried again on the new state
/// (a few times at most). A record written for an outcome that was then not applied is superseded by the next one,
/// or dropped by a snapshot.
extension DurableState {
    /// How often a merge is tried again when the scan keeps changing between preview and apply.
    static let mergeAttempts = 4

    /// For a webhook: the scan is on disk before it is visible; a failed write answers 503 with nothing applied.
    func keepDurably(_ update: ScanUpdate, in store: ScanStore, now: Date) async throws(StateError) -> ApplyOutcome {
        try ensureRecording("the scan")
        for _ in 0..<Self.mergeAttempts {
            var previewed: ApplyOutcome?
            if let outcome = store.apply(update, now: now, admittedIf: { previewed = $0; return false }) {
                return try Self.settled(outcome)
            }
            guard let previewed, let scan = previewed.scan else { break }
            // Until the scan is applied, a snapshot must wait for it: its record may sit in a segment being replaced.
            let epoch = pending.begin()
            defer { pending.end(epoch) }
            let position: JournalPosition
            do {
                position = try submit(encoded: DurableRecord.scan(scan).encoded())
            } catch {
                logger.error("state journal: scan not recorded", metadata: ["reason": "\(error)"])
                throw Self.notRecorded
            }
            try await waitUntilDurable(position, or: "the scan")
            if let applied = store.apply(update, now: now, admittedIf: { $0 == previewed }) {
                if case .refused = applied {
                    // The cache filled with fresh scans meanwhile: the record on disk is not in memory.
                    requestCompaction()
                }
                return try Self.settled(applied)
            }
        }
        requestCompaction()
        throw .unavailable("the scan kept changing while it was recorded; retry", retryAfterSeconds: 1)
    }

    /// For a poll result, which nobody waits on: applied and submitted under the store's lock, so the journal holds
    /// every change in memory in the order made (as its snapshots require); refused while the journal cannot write.
    func keepSubmitted(_ update: ScanUpdate, in store: ScanStore, now: Date) throws(StateError) -> ApplyOutcome {
        try ensureRecording("the scan")
        for _ in 0..<Self.mergeAttempts {
            var previewed: ApplyOutcome?
            if let outcome = store.apply(update, now: now, admittedIf: { previewed = $0; return false }) {
                return try Self.settled(outcome)
            }
            guard let previewed, let scan = previewed.scan else { break }
            let record: JournalRecord
            do {
                record = try DurableRecord.scan(scan).encoded()
            } catch {
                throw Self.notRecorded
            }
            var refusal: (any Error)?
            let applied = store.apply(update, now: now) { outcome in
                guard outcome == previewed else { return false }
                do {
                    _ = try submit(encoded: record)
                    return true
                } catch {
                    refusal = error
                    return false
                }
            }
            if let refusal {
                logger.error("state journal: scan not recorded", metadata: ["reason": "\(refusal)"])
                throw Self.notRecorded
            }
            if let applied { return try Self.settled(applied) }
        }
        throw .unavailable("the scan kept changing while it was recorded; retry", retryAfterSeconds: 1)
    }

    private static var notRecorded: StateError {
        .unavailable("the scan could not be recorded in the state directory", retryAfterSeconds: 10)
    }

    /// The outcome, or the 503 a full cache answers.
    static func settled(_ outcome: ApplyOutcome) throws(StateError) -> ApplyOutcome {
        if case .refused = outcome {
            throw .unavailable("the scan cache is full of scans in progress", retryAfterSeconds: 30)
        }
        return outcome
    }
}
