/// The on-disk framing of one record:
///
///     length   UInt32 little-endian   payload bytes
///     kind     UInt8
///     payload  length bytes
///     checksum UInt32 little-endian   CRC-32C of length, kind and payload
///
/// Nothing else is on disk: a segment is frames back to back, a snapshot the same plus a trailer frame (kind 0).
/// The checksum covers the length field, so a garbled length is caught as surely as a garbled payload.
enum RecordFrame {
    static let headerBytes = 5
    static let checksumBytes = 4
    static let overheadBytes = headerBytes + checksumBytes

    /// Appends the frame of `payload` with `kind` to `buffer`.
    static func encode(kind: UInt8, payload: some Collection<UInt8>, into buffer: inout [UInt8]) {
        let start = buffer.count
        appendLittleEndian(UInt32(payload.count), to: &buffer)
        buffer.append(kind)
        buffer.append(contentsOf: payload)
        let crc = buffer.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[start...])) }
        appendLittleEndian(crc, to: &buffer)
    }

    static func appendLittleEndian<T: FixedWidthInteger>(_ value: T, to buffer: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) }
    }

    static func readLittleEndian<T: FixedWidthInteger>(_: T.Type, _ bytes: UnsafeRawBufferPointer, at offset: Int) -> T {
        var value = T.zero
        withUnsafeMutableBytes(of: &value) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + MemoryLayout<T>.size])) }
        return T(littleEndian: value)
    }
}

/// What stopped a scan of frames before the end of the bytes.
enum FrameDamage: Sendable, Equatable, CustomStringConvertible {
    /// Fewer bytes than a header, or a length reaching past the end: a write cut short by a crash.
    case truncated(offset: Int)
    /// A length above the record limit: garbage where a header should be.
    case oversize(offset: Int, length: Int)
    /// The frame fits but its checksum does not match: torn or flipped bits.
    case badChecksum(offset: Int)

    var offset: Int {
        switch self {
        case .truncated(let offset), .oversize(let offset, _), .badChecksum(let offset): return offset
        }
    }

    var description: String {
        switch self {
        case .truncated(let offset): return "incomplete record at offset \(offset)"
        case .oversize(let offset, let length): return "implausible record length \(length) at offset \(offset)"
        case .badChecksum(let offset): return "checksum mismatch at offset \(offset)"
        }
    }
}

/// Walks frames from the start of a byte buffer and stops at the end or at the first damaged frame.
struct FrameScanner {
    let maxPayloadBytes: Int

    struct Result {
        /// Bytes up to the end of the last intact frame: where the file should be cut if there is damage.
        var validLength = 0
        var damage: FrameDamage?
    }

    /// Calls `visit` with each intact frame's kind and payload, in order.
    func scan(_ bytes: UnsafeRawBufferPointer, visit: (UInt8, UnsafeRawBufferPointer) -> Void) -> Result {
        var result = Result()
        var offset = 0
        while offset < bytes.count {
            guard bytes.count - offset >= RecordFrame.headerBytes else {
                result.damage = .truncated(offset: offset)
                break
            }
            let length = Int(RecordFrame.readLittleEndian(UInt32.self, bytes, at: offset))
            guard length <= maxPayloadBytes else {
                result.damage = .oversize(offset: offset, length: length)
                break
            }
            let frameEnd = offset + RecordFrame.overheadBytes + length
            guard frameEnd <= bytes.count else {
                result.damage = .truncated(offset: offset)
                break
            }
            let checked = UnsafeRawBufferPointer(rebasing: bytes[offset..<frameEnd - RecordFrame.checksumBytes])
            let stored = RecordFrame.readLittleEndian(UInt32.self, bytes, at: frameEnd - RecordFrame.checksumBytes)
            guard CRC32C.checksum(checked) == stored else {
                result.damage = .badChecksum(offset: offset)
                break
            }
            let payloadStart = offset + RecordFrame.headerBytes
            visit(bytes[offset + 4], UnsafeRawBufferPointer(rebasing: bytes[payloadStart..<payloadStart + length]))
            offset = frameEnd
            result.validLength = offset
        }
        return result
    }
}
