/// A hash set split into ``shardCount`` independent sets by the top bits of each element's hash.
///
/// A Swift `Set` that passes three quarters full rehashes every element at once; under a lock that every request
/// takes, at 100,000 elements that stalls all of them for tens of milliseconds. Here one shard doubles at a time,
/// moving a sixty-fourth of the elements, and memory still grows with the elements held (a set reserved up front
/// for its bound would hold a page per element while it fills sparsely). The price: each element is stored with
/// its hash (see ``Hashed``), one word more.
@frozen
public struct ShardedSet<Element: Hashable> {
    @inlinable public static var shardCount: Int { ShardLayout.count }

    @usableFromInline var shards = [Set<Hashed<Element>>](repeating: [], count: Self.shardCount)
    /// Entries held.
    @inlinable public var count: Int { storedCount }
    @usableFromInline var storedCount = 0

    @inlinable public init() {}

    /// The member equal to `element`, which may differ from it in what equality ignores.
    @inlinable public func member(equalTo element: Element) -> Element? {
        let probe = Hashed(element)
        return shards[probe.shard].firstIndex(of: probe).map { shards[probe.shard][$0].value }
    }

    /// Adds `element` unless an equal one is held; returns whether it was added.
    @discardableResult
    @inlinable public mutating func insert(_ element: Element) -> Bool {
        let item = Hashed(element)
        let inserted = shards[item.shard].insert(item).inserted
        if inserted { storedCount += 1 }
        return inserted
    }

    /// Removes the member equal to `element`; returns it, or nil when there was none.
    @discardableResult
    @inlinable public mutating func remove(_ element: Element) -> Element? {
        let item = Hashed(element)
        let removed = shards[item.shard].remove(item)?.value
        if removed != nil { storedCount -= 1 }
        return removed
    }

    /// Every shard's table grows on its own; this is the largest one's capacity (for tests).
    @inlinable public var largestShardCapacity: Int { shards.map(\.capacity).max() ?? 0 }
}
