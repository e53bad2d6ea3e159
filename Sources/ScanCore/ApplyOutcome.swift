/// What ``ScanStore/apply(_:now:)`` did with an update.
public enum ApplyOutcome: Sendable, Hashable {
    /// A new scan, revision 1.
    case created(Scan)
    /// The update changed the scan; an event was published.
    case changed(old: Scan, new: Scan)
    /// The update told nothing new (a re-delivery, or a stale state): no new revision, no event.
    case unchanged(Scan)
    /// The store is at `maxScans` and every cached scan is in progress and changed within `staleAfter`, so none may
    /// be evicted: the new scan was not stored. The HTTP layer answers 503 so the sender retries later; a poll is
    /// retried after a backoff.
    case refused

    /// The scan as stored after the update; nil when refused.
    public var scan: Scan? {
        switch self {
        case .created(let scan), .unchanged(let scan), .changed(_, let scan): scan
        case .refused: nil
        }
    }
}

/// What ``ScanStore/waitForChange(id:from:timeout:clock:endingOn:)`` ended with.
public enum WaitOutcome: Sendable, Hashable {
    /// The scan now: changed from the given revision, terminal, or as it is at the deadline.
    case scan(Scan)
    /// No such scan (or it was evicted while waiting).
    case notFound
    /// The cap on concurrent waiters is reached; the HTTP layer answers 503 rather than spin the client.
    case tooManyWaiters
}
