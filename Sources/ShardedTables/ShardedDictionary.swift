/// A dictionary split into ``shardCount`` independent dictionaries by the top bits of each key's hash, so that
/// growing never rehashes every key at once (see ``ShardedSet``); keys are stored with their hash.
@frozen
public struct ShardedDictionary<Key: Hashable, Value> {
    @inlinable public static var shardCount: Int { ShardLayout.count }

    @usableFromInline var shards = [[Hashed<Key>: Value]](repeating: [:], count: Self.shardCount)
    /// Entries held.
    @inlinable public var count: Int { storedCount }
    @usableFromInline var storedCount = 0

    @inlinable public init() {}

    @inlinable public var isEmpty: Bool { count == 0 }

    /// The value for `key`; setting nil removes it.
    @inlinable public subscript(key: Key) -> Value? {
        get {
            let key = Hashed(key)
            return shards[key.shard][key]
        }
        set {
            if let newValue { updateValue(newValue, forKey: key) } else { removeValue(forKey: key) }
        }
    }

    /// Stores `value` for `key`; returns the value it replaced.
    @discardableResult
    @inlinable public mutating func updateValue(_ value: Value, forKey key: Key) -> Value? {
        let key = Hashed(key)
        let old = shards[key.shard].updateValue(value, forKey: key)
        if old == nil { storedCount += 1 }
        return old
    }

    @discardableResult
    @inlinable public mutating func removeValue(forKey key: Key) -> Value? {
        let key = Hashed(key)
        let old = shards[key.shard].removeValue(forKey: key)
        if old != nil { storedCount -= 1 }
        return old
    }

    /// Runs `body` on the value for `key` in place, starting from `defaultValue` when there is none.
    @inlinable public mutating func update<Result>(
        _ key: Key, default defaultValue: @autoclosure () -> Value, _ body: (inout Value) -> Result
    ) -> Result {
        let key = Hashed(key)
        let before = shards[key.shard].count
        let result = body(&shards[key.shard][key, default: defaultValue()])
        storedCount += shards[key.shard].count - before
        return result
    }

    /// Every entry, shard by shard (no particular order).
    @inlinable public var entries: [(key: Key, value: Value)] { shards.flatMap { $0.map { ($0.key.value, $0.value) } } }

    /// Every shard's table grows on its own; this is the largest one's capacity (for tests).
    @inlinable public var largestShardCapacity: Int { shards.map(\.capacity).max() ?? 0 }
}
