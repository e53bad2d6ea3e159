#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DequeModule
import Locking
import ShardedTables

/// Which deliveries have already taken effect, so a retried or concurrently repeated delivery has no second effect.
///
/// A key is claimed atomically before the event is applied: of any number of concurrent claims of one key exactly
/// one is `.new`. Keys are remembered for `window` (senders retry for up to three days) and at most `capacity` of
/// them are kept; beyond that the oldest are forgotten first. Keys are compared exactly, so callers qualify them
/// with the source name (`"harbor:" + key`) when two sources could share a key.
public final class DeliveryLedger: Sendable {
    public enum Claim: Sendable, Equatable {
        /// First sighting: apply the event (and `release` the key if applying it fails).
        case new
        /// Claimed before, within the window: acknowledge again, change nothing.
        case duplicate
    }

    public static let defaultWindow: Duration = .seconds(72 * 3600)
    public static let defaultCapacity = 100_000

    public let window: Duration
    public let capacity: Int
    private let state: Locked<State>

    public init(window: Duration = defaultWindow, capacity: Int = defaultCapacity) {
        precondition(capacity > 0, "a ledger must hold at least one key")
        self.window = window
        self.capacity = capacity
        state = Locked(State())
    }

    /// Claims `key` at `now`. A key whose earlier claim lies `window` or more in the past counts as new again.
    public func claim(_ key: String, now: Date) -> Claim {
        let time = now.timeIntervalSince1970
        let windowSeconds = Self.seconds(window)
        return state.withLock { state in
            state.forget(claimedBefore: time - windowSeconds)
            if let claimed = state.claims[key], claimed.time > time - windowSeconds { return .duplicate }
            state.record(key, at: time, capacity: capacity)
            state.forget(beyond: capacity)
            return .new
        }
    }

    /// Forgets a claim whose event could not be applied, so the sender's retry is processed rather than
    /// acknowledged as a duplicate of something that never happened.
    public func release(_ key: String) {
        _ = state.withLock { $0.claims.removeValue(forKey: key) }
    }

    /// How many keys are remembered right now.
    public var count: Int { state.withLock { $0.claims.count } }

    /// Every remembered key with the time it was claimed, oldest first: what the state journal snapshots, and
    /// replays with `claim(_:now:)` after a restart.
    public func claims() -> [(key: String, claimedAt: Date)] {
        state.withLock { state in
            state.claims.entries.sorted { $0.value.serial < $1.value.serial }
                .map { ($0.key, Date(timeIntervalSince1970: $0.value.time)) }
        }
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// Claims by key, plus their order of arrival for expiry and eviction. The order queue may hold stale
    /// entries (released or re-claimed keys); each entry carries a serial so a stale one is recognised and skipped.
    private struct State {
        /// Sharded, so that growing never rehashes every key at once under the lock (see ShardedSet).
        var claims = ShardedDictionary<String, (time: Double, serial: UInt64)>()
        var order = Deque<(key: String, serial: UInt64)>()
        var nextSerial: UInt64 = 0

        mutating func record(_ key: String, at time: Double, capacity: Int) {
            claims[key] = (time, nextSerial)
            order.append((key, nextSerial))
            nextSerial += 1
            // Released and re-claimed keys leave stale entries behind; sweep them out before the queue outgrows
            // the claims it orders, so memory stays bounded by `capacity` whatever the traffic.
            if order.count > 2 * capacity {
                let claims = claims
                order.removeAll { claims[$0.key]?.serial != $0.serial }
            }
        }

        mutating func forget(claimedBefore cutoff: Double) {
            while let oldest = peekLive(), oldest.time <= cutoff { dropOldest() }
        }

        mutating func forget(beyond capacity: Int) {
            while claims.count > capacity { dropOldest() }
        }

        /// The oldest live claim, discarding stale queue entries on the way.
        private mutating func peekLive() -> (key: String, time: Double)? {
            while let entry = order.first {
                if let claim = claims[entry.key], claim.serial == entry.serial { return (entry.key, claim.time) }
                order.removeFirst()
            }
            return nil
        }

        private mutating func dropOldest() {
            guard let oldest = peekLive() else { return }
            claims.removeValue(forKey: oldest.key)
            order.removeFirst()
        }
    }
}
