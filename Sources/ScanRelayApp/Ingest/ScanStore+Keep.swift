import Foundation
import ScanCore

extension ScanStore {
    /// The one way webhooks and polls put a scan into the cache: merges `update`, then journals the change when a
    /// state directory is set. Throws, with the answer a webhook sender gets, when the scan is not kept — the cache is
    /// full of fresh in-progress scans, or the journal could not record it — so the caller retries rather than
    /// acknowledge a scan that is not there.
    func keep(_ update: ScanUpdate, journal: DurableState?, now: Date = Date()) throws(APIError) -> ApplyOutcome {
        let outcome = apply(update, now: now)
        if case .refused = outcome {
            throw .unavailable("the scan cache is full of scans in progress", retryAfterSeconds: 30)
        }
        if journal?.scanChanged(outcome) == false {
            throw .unavailable("the scan could not be recorded in the state directory", retryAfterSeconds: 10)
        }
        return outcome
    }
}
