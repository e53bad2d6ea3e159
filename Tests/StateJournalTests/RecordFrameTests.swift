import Testing
@testable import StateJournal

struct RecordFrameTests {
    private let scanner = FrameScanner(maxPayloadBytes: 1024)

    private func scan(_ bytes: [UInt8]) -> (records: [JournalRecord], result: FrameScanner.Result) {
        var records: [JournalRecord] = []
        let result = bytes.withUnsafeBytes { buffer in
            scanner.scan(buffer) { records.append(JournalRecord(kind: $0, payload: Array($1))) }
        }
        return (records, result)
    }

    @Test func framesScanBackToTheRecordsEncoded_IncludingAnEmptyPayload() {
        let records: [JournalRecord] = [.make("first"), .make("", kind: 7), .make("third", kind: 255)]
        let bytes = frames(records)
        let (scanned, result) = scan(bytes)
        #expect(scanned == records)
        #expect(result.damage == nil)
        #expect(result.validLength == bytes.count)
        #expect(bytes.count == 3 * RecordFrame.overheadBytes + 10)
    }

    @Test func aFrameCutShort_IsTruncatedDamage_AfterTheIntactOnes() {
        let bytes = frames([.make("kept"), .make("torn")])
        let (scanned, result) = scan(Array(bytes.dropLast(3)))
        #expect(scanned == [.make("kept")])
        #expect(result.damage == .truncated(offset: 13))
        #expect(result.validLength == 13)
    }

    @Test func aLengthAboveTheLimit_IsOversizeDamage() {
        var bytes = frames([.make("kept"), .make("next")])
        bytes[13...16] = [0xFF, 0xFF, 0xFF, 0x7F]
        let (scanned, result) = scan(bytes)
        #expect(scanned == [.make("kept")])
        #expect(result.damage == .oversize(offset: 13, length: 0x7FFF_FFFF))
    }

    @Test func aFlippedKindBit_IsChecksumDamage() {
        var bytes = frames([.make("kept"), .make("next")])
        bytes[17] ^= 0x02
        let (scanned, result) = scan(bytes)
        #expect(scanned == [.make("kept")])
        #expect(result.damage == .badChecksum(offset: 13))
    }

    @Test func zeroFilledTail_IsDamage_NotAnEmptyRecord() {
        let bytes = frames([.make("kept")]) + [UInt8](repeating: 0, count: 4096)
        let (scanned, result) = scan(bytes)
        #expect(scanned == [.make("kept")])
        #expect(result.damage == .badChecksum(offset: 13))
    }
}
