import Testing
@testable import StateJournal

struct CRC32CTests {
    @Test func checksumOfTheStandardCheckString_IsTheCastagnoliCheckValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
    }

    @Test func checksumOfThirtyTwoZeroBytes_MatchesRFC3720() {
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
    }

    @Test func checksumContinued_EqualsChecksumOfTheWhole() {
        let bytes = Array("journal records are checksummed".utf8)
        let first = bytes[..<10].withUnsafeBytes { CRC32C.checksum($0) }
        let whole = bytes[10...].withUnsafeBytes { CRC32C.checksum($0, continuing: first) }
        #expect(whole == CRC32C.checksum(bytes))
    }
}
