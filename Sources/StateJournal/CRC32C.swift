/// CRC-32C (Castagnoli), the checksum of every journal record.
///
/// Why a CRC and not a truncated SHA-256: the checksum guards against torn writes and media bit rot, not against an
/// adversary (whoever can write the state directory can forge any record anyway). CRC-32C detects every burst error up
/// to 32 bits and every odd number of flipped bits, costs 4 bytes per record and runs without allocation, and it is
/// the checksum other write-ahead logs (ext4 journal, LevelDB, RocksDB) settled on for the same job.
enum CRC32C {
    /// The reflected Castagnoli polynomial 0x1EDC6F41.
    private static let polynomial: UInt32 = 0x82F6_3B78

    private static let table: [UInt32] = (0..<256).map { byte in
        var crc = UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ polynomial : crc >> 1 }
        return crc
    }

    /// The checksum of `bytes`, continuing from `crc` (the value returned for the preceding bytes).
    static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        var value = ~crc
        table.withUnsafeBufferPointer { table in
            for byte in bytes {
                value = table[Int((value ^ UInt32(byte)) & 0xFF)] ^ (value >> 8)
            }
        }
        return ~value
    }

    static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        let array = Array(bytes)
        return array.withUnsafeBytes { checksum($0) }
    }
}
