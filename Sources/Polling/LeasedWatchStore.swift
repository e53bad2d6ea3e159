import Foundation
import Providers

/// Watches kept where every replica sees them (a database), each due poll leased to one replica at a time.
///
/// A lease is proven by a `Fence` (the watch and a lease epoch): every write for the poll names it and is refused
/// once the watch was leased again (the lease lapsed and another replica took it over) or changed outside the poll
/// (cancelled, ended by a webhook). All times — due, lease expiry — are the store's own clock, never the caller's.
public protocol LeasedWatchStore: Sendable {
    associatedtype Fence: Sendable, Hashable

    /// Leases up to `limit` watches of `source` that are due, active and not leased, to this replica for `ttl`,
    /// oldest due first. Two replicas never get the same watch at once.
    func leaseDue(source: String, limit: Int, ttl: Duration) async throws -> [LeasedWatchState<Fence>]

    /// Extends the lease to `ttl` from now. False when it was lost: the poll's result must be dropped.
    func renew(_ fence: Fence, ttl: Duration) async throws -> Bool

    /// Writes what the poll made of the watch and releases the lease: `.poll(after:)` schedules the next poll that
    /// long from now (never past the watch's expiry), `.done` ends it. When the lease was lost nothing is
    /// written, nil returned); else the watch as it now is.
    func finish(_ fence: Fence, _ step: PollTransition.Step) async throws -> Watch?

    /// Gives the lease back without a result (the poller is stopping): the watch is due again at once for others.
    func release(_ fence: Fence) async throws

    /// Makes every active watch of `source` whose ref may name the scan `ref` names (``WatchFollowing/overlaps(_:_:)``)
    /// due now. Returns how many.
    func pollNow(_ ref: ScanRef, source: String) async throws -> Int

    /// Ends, as `expired`, up to `limit` active watches older than the maximum watch age that no replica is polling,
    /// and forgets watches that ended longer than that ago. Returns the watches it expired.
    func expireDue(limit: Int) async throws -> [Watch]
}

/// One leased watch: its state as the last poll left it, and the proof of the lease.
public struct LeasedWatchState<Fence: Sendable & Hashable>: Sendable {
    public var state: WatchState
    public var fence: Fence

    public init(state: WatchState, fence: Fence) {
        self.state = state
        self.fence = fence
    }
}
