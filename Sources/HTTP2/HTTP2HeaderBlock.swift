import CNGHTTP2

/// Lays header fields out as `nghttp2_nv` entries pointing into one buffer, valid for the duration of `body`
/// (nghttp2 copies them on submit). Fields named in `unindexed` are flagged never to enter HPACK's dynamic table.
enum HTTP2HeaderBlock {
    static func withFields<R>(
        _ fields: [(String, String)], unindexed: [String] = [], _ body: (UnsafePointer<nghttp2_nv>, Int) -> R
    ) -> R {
        var storage: [UInt8] = []
        var spans: [(name: Int, nameLength: Int, value: Int, valueLength: Int, flags: UInt8)] = []
        spans.reserveCapacity(fields.count)
        for (name, value) in fields {
            let nameStart = storage.count
            storage.append(contentsOf: name.utf8)
            let valueStart = storage.count
            storage.append(contentsOf: value.utf8)
            let flags = unindexed.contains(name) ? NGHTTP2_NV_FLAG_NO_INDEX : NGHTTP2_NV_FLAG_NONE
            spans.append((nameStart, valueStart - nameStart, valueStart, storage.count - valueStart, UInt8(flags.rawValue)))
        }
        storage.append(0)  // never empty, so the base address exists even for empty names and values
        return storage.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            let entries = spans.map {
                nghttp2_nv(
                    name: base + $0.name, value: base + $0.value, namelen: $0.nameLength, valuelen: $0.valueLength,
                    flags: $0.flags)
            }
            return entries.withUnsafeBufferPointer { body($0.baseAddress!, $0.count) }
        }
    }
}
