import CNGHTTP2

/// Lays header fields out as `nghttp2_nv` entries pointing into one buffer, valid for the duration of `body`
/// (nghttp2 copies them on submit). Fields named in `unindexed` are flagged never to enter HPACK's dynamic table.
/// Runs for every response: two allocations (the bytes and the entries), each sized once.
enum HTTP2HeaderBlock {
    static func withFields<R>(
        _ fields: [(String, String)], unindexed: [String] = [], _ body: (UnsafePointer<nghttp2_nv>, Int) -> R
    ) -> R {
        var storage: [UInt8] = []
        // One byte more, so the base address exists even when every name and value is empty.
        storage.reserveCapacity(fields.reduce(1) { $0 + $1.0.utf8.count + $1.1.utf8.count })
        for (name, value) in fields {
            storage.append(contentsOf: name.utf8)
            storage.append(contentsOf: value.utf8)
        }
        storage.append(0)
        var entries: [nghttp2_nv] = []
        entries.reserveCapacity(fields.count)
        return storage.withUnsafeMutableBufferPointer { buffer in
            var offset = 0
            for (name, value) in fields {
                let nameLength = name.utf8.count, valueLength = value.utf8.count
                let flags = unindexed.contains(name) ? NGHTTP2_NV_FLAG_NO_INDEX : NGHTTP2_NV_FLAG_NONE
                entries.append(nghttp2_nv(
                    name: buffer.baseAddress! + offset, value: buffer.baseAddress! + offset + nameLength,
                    namelen: nameLength, valuelen: valueLength, flags: UInt8(flags.rawValue)))
                offset += nameLength + valueLength
            }
            return entries.withUnsafeBufferPointer { body($0.baseAddress!, $0.count) }
        }
    }
}
