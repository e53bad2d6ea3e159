/// A loop's connections, indexed by file descriptor. A token pairs the descriptor with a generation, so an event
/// queued for a closed connection never reaches a new one that reused its descriptor.
struct ConnectionTable {
    private var slots: [Connection?] = []
    private var generation: UInt32 = 0
    private(set) var count = 0

    mutating func makeToken(for fd: Int32) -> UInt64 {
        generation &+= 1
        return UInt64(generation) << 32 | UInt64(UInt32(bitPattern: fd))
    }

    mutating func insert(_ connection: Connection) {
        let slot = Int(connection.fd)
        if slot >= slots.count { slots.append(contentsOf: repeatElement(nil, count: max(slot + 1 - slots.count, slots.count))) }
        slots[slot] = connection
        count += 1
    }

    mutating func remove(_ connection: Connection) {
        let slot = Int(connection.fd)
        guard slot < slots.count, slots[slot] === connection else { return }
        slots[slot] = nil
        count -= 1
    }

    func connection(for token: UInt64) -> Connection? {
        let slot = Int(token & 0xFFFF_FFFF)
        guard slot < slots.count, let connection = slots[slot], connection.token == token else { return nil }
        return connection
    }

    /// A snapshot, since visiting a connection may close it (and so change the table).
    var all: [Connection] { slots.compactMap { $0 } }
}
