import CNGHTTP2

/// Decodes the server's header blocks with nghttp2's own HPACK inflater (one per connection: the dynamic table
/// spans header blocks).
final class HeaderDecoder {
    private var inflater: OpaquePointer?
    /// Names of the fields sent as never-indexed literals (RFC 7541 §6.2.3), in order.
    private(set) var neverIndexed: [String] = []

    init() {
        nghttp2_hd_inflate_new(&inflater)
    }

    deinit {
        nghttp2_hd_inflate_del(inflater)
    }

    /// The fields of one complete header block, or nil when it does not decode.
    func decode(_ block: [UInt8]) -> [(String, String)]? {
        var fields: [(String, String)] = []
        var offset = 0
        while true {
            var field = nghttp2_nv()
            var flags: Int32 = 0
            let used = block.withUnsafeBufferPointer { buffer in
                nghttp2_hd_inflate_hd2(inflater, &field, &flags, buffer.baseAddress! + offset, buffer.count - offset, 1)
            }
            guard used >= 0 else { return nil }
            offset += used
            if flags & Int32(NGHTTP2_HD_INFLATE_EMIT.rawValue) != 0 {
                let name = String(decoding: UnsafeBufferPointer(start: field.name, count: field.namelen), as: UTF8.self)
                fields.append((name, String(decoding: UnsafeBufferPointer(start: field.value, count: field.valuelen), as: UTF8.self)))
                if field.flags & UInt8(NGHTTP2_NV_FLAG_NO_INDEX.rawValue) != 0 { neverIndexed.append(name) }
            }
            if flags & Int32(NGHTTP2_HD_INFLATE_FINAL.rawValue) != 0 {
                nghttp2_hd_inflate_end_headers(inflater)
                return fields
            }
            if used == 0 && offset >= block.count { return nil }
        }
    }
}
