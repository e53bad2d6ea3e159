import Foundation
import Providers
import ScanCore

/// What a decoded webhook asks ScanRelay to do, once it is known to be actionable for its source.
enum WebhookAction: Sendable {
    /// Merge a scan update; re-fetch the authoritative state after, when the source has an upstream.
    case update(ScanUpdate, refetch: ScanRef?)
    /// A hint: poll the upstream now.
    case refetch(ScanRef)
    /// Start a watch (a Yandex `CreateImage` trigger), with the unknown-size schedule; a scan finished since
    /// `scanStartedAt` counts as the watched one.
    case watch(ScanRef, scanStartedAt: Date?)

    /// Nil for an event that is acknowledged and counted but not acted on. A hint or a watch for a source
    /// without an upstream cannot be acted on: 422.
    init?(_ event: WebhookEvent, source: WebhookIngest.Source) throws(APIError) {
        switch event {
        case .ignored:
            return nil
        case .scan(let update):
            self = .update(update, refetch: source.hasUpstream ? ScanRef(refetching: update) : nil)
        case .hint(let ref):
            guard source.hasUpstream else {
                throw .unprocessable("source '\(source.name)' has no upstream to re-fetch a hint from")
            }
            self = .refetch(ref)
        case .startWatch(let ref, let imageCreatedAt):
            guard source.hasUpstream else {
                throw .unprocessable("source '\(source.name)' has no upstream to watch the image through")
            }
            // The registry's clock may run ahead of ours: a start in our future would reject the very scan awaited.
            self = .watch(ref, scanStartedAt: imageCreatedAt.map { min($0, Date()) })
        }
    }

    /// The scan update the delivery brings, merged as part of its unit; nil for hints and watches.
    var update: ScanUpdate? {
        if case .update(let update, _) = self { update } else { nil }
    }

    /// The normalized id the acknowledgement names: known for scan updates only.
    var scanId: String? {
        if case .update(let update, _) = self { update.scanId } else { nil }
    }
}
