/// A value with its hash computed once: the shard is picked from it, and the shard's own table hashes only this
/// integer, so a sharded table hashes each element once rather than twice. Equal values have equal hashes, so
/// comparing the hashes first is only a shortcut.
@usableFromInline @frozen
struct Hashed<Value: Hashable>: Hashable {
    @usableFromInline let hash: Int
    @usableFromInline let value: Value

    @inlinable init(_ value: Value) {
        self.hash = value.hashValue
        self.value = value
    }

    /// Its shard: the top bits of the hash, independent of the low bits a shard's own table uses.
    @inlinable var shard: Int { Int(UInt(bitPattern: hash) >> (UInt.bitWidth - ShardLayout.bits)) }

    @inlinable static func == (a: Hashed, b: Hashed) -> Bool { a.hash == b.hash && a.value == b.value }

    @inlinable func hash(into hasher: inout Hasher) { hasher.combine(hash) }
}

/// How many tables a sharded table splits into: one place, so the count and the hash bits that pick a table agree.
@usableFromInline
enum ShardLayout {
    @inlinable static var bits: Int { 6 }
    @inlinable static var count: Int { 1 << bits }
}
