import Foundation
import ScanCore

extension ScanStore {
    /// The way polls put a scan into the cache: merges `update` and, with a state directory, journals the change
    /// in the same step. Throws, with the answer a webhook sender would get, when the scan is not kept — the cache is
    /// full of fresh in-progress scans, or the journal cannot record it — so the caller retries.
    func keep(_ update: ScanUpdate, journal: DurableState?, now: Date = Date()) throws(APIError) -> ApplyOutcome {
        if let journal { return try journal.keepSubmitted(update, in: self, now: now) }
        return try DurableState.settled(apply(update, now: now))
    }

    /// The way webhooks put a scan into the cache: with a state directory, the scan is on disk before anyone can
    /// see it, so a delivery answered 503 leaves nothing behind that a restart would take back.
    func keepDurably(_ update: ScanUpdate, journal: DurableState?, now: Date = Date()) async throws(APIError)
        -> ApplyOutcome
    {
        if let journal { return try await journal.keepDurably(update, in: self, now: now) }
        return try DurableState.settled(apply(update, now: now))
    }
}
