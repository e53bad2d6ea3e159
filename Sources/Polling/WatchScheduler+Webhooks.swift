import Foundation
import Providers
import ScanCore

/// How webhooks meet watches: a webhook's scan can end a watch, and a hint asks for an immediate poll.
extension WatchScheduler {
    /// Whether any watch exists that ``matchWebhook(_:)`` could change. Read without a hop onto the actor, so the
    /// webhook path skips the hop while nothing is watched; a watch added concurrently with a webhook may see it or
    /// not, as it could before.
    public nonisolated var mayMatchWebhooks: Bool { recordCount.load(ordering: .acquiring) > 0 }

    /// Applies a webhook's (already merged) scan update to the watches following that scan.
    ///
    /// A terminal update ends every active matching watch (`done`, `scanId` set): there is nothing left to poll.
    /// A non-terminal update changes no schedule — the watch was told the scan runs, which it assumed already; a
    /// waiting watch goes on waiting for the terminal webhook until its first poll is due, and polling goes on as
    /// planned. It does record the scan's id on the watch, so the watch shows which scan it follows.
    /// Returns the watches changed.
    @discardableResult
    public func matchWebhook(_ update: ScanUpdate) -> [Watch] {
        var changed: [Watch] = []
        for id in activeWatchIDs(source: update.source) {
            guard let record = records[id], Self.ref(record.pollRef, matches: update, since: record.watch.scanStartedAt)
            else { continue }
            if update.status.isTerminal {
                if let watch = end(id, as: .done, scanId: update.scanId) { changed.append(watch) }
            } else if record.watch.scanId != update.scanId {
                records[id]?.watch.scanId = update.scanId
                if let saved = records[id]?.saved {
                    onChange(saved)
                    changed.append(saved.watch)
                }
            }
        }
        return changed
    }

    /// Polls the scan `ref` names now, outside the schedule but within the source's concurrency limit (a webhook
    /// hint: the authoritative state is one upstream call away). Watches following it poll next, ahead of the queue;
    /// with none, one poll runs and its result goes to the sink. Returns false when the source cannot be polled or
    /// too many hints are waiting already.
    @discardableResult
    public func refetchNow(_ ref: ScanRef, source: String) -> Bool {
        guard let polled = sources[source], polled.provider == ref.provider else { return false }
        let watching = activeWatchIDs(source: source).filter { id in
            records[id].map { Self.ref($0.pollRef, overlaps: ref) } ?? false
        }
        if watching.isEmpty {
            guard jobs[source]?.count ?? 0 < Self.maxOneOffJobs else { return false }
            enqueue(.oneOff(ref), source: source, first: true)
        } else {
            for id in watching {
                // The scheduled poll is superseded; the one after follows from this poll's result.
                nextGeneration += 1
                records[id]?.generation = nextGeneration
                enqueue(.watch(id), source: source, first: true)
            }
        }
        pump(source)
        return true
    }

    func activeWatchIDs(source: String) -> [String] {
        records.compactMap { $0.value.watch.source == source && $0.value.watch.state.isActive ? $0.key : nil }
    }

    static func ref(_ ref: ScanRef, matches update: ScanUpdate, since scanStartedAt: Date) -> Bool {
        WatchFollowing.follows(ref, update, since: scanStartedAt)
    }

    static func ref(_ a: ScanRef, overlaps b: ScanRef) -> Bool { WatchFollowing.overlaps(a, b) }
}
