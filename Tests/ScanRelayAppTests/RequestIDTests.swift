import Testing
@testable import ScanRelayApp

@Suite("Request ids the server makes")
struct RequestIDTests {
    @Test func madeIds_AreDistinct_AndThirtyTwoLowercaseHexDigits() {
        var seen = Set<String>()
        for _ in 0..<100_000 {
            let id = RequestID.make()
            #expect(id.utf8.count == 32 && id.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) })
            seen.insert(id)
        }
        #expect(seen.count == 100_000)
    }

    @Test func consecutiveIds_DoNotShowTheCounter() {
        // Neighbouring counter values differ in about half of the 128 bits, not in the last digit.
        let first = RequestID.make(), second = RequestID.make()
        let differing = zip(first.utf8, second.utf8).filter { $0 != $1 }.count
        #expect(differing > 16)
    }

    @Test func mix_IsABijectionOnASample_AndNotTheIdentity() {
        let inputs: [UInt64] = Array(0..<50_000) + (0..<50_000).map { UInt64.max - $0 } + (0..<64).map { 1 << $0 }
        let outputs = Set(inputs.map(RequestID.mix))
        #expect(outputs.count == Set(inputs).count)
        #expect(RequestID.mix(1) != 1)
    }
}
