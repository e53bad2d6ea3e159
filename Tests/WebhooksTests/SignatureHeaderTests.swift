import Testing
@testable import Webhooks

@Suite struct SignatureHeaderTests {
    private let mac = "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

    @Test func entries_AreSplitOnSpaces_AcrossRepeatedHeaders() {
        let header = SignatureHeader(values: ["v1,\(mac)  v1,\(mac)", "\tv1,\(mac)"])
        #expect(header.entries.count == 3)
        #expect(header.entries.allSatisfy { $0.version == .v1 && $0.signature.count == 32 })
    }

    @Test func unknownVersionsAndMalformedTokens_AreSkipped() {
        let header = SignatureHeader(values: ["v2,\(mac) V1,\(mac) v1\(mac) v1,\(mac)= v1,,\(mac) ,\(mac) v1a,\(mac) ✓,✓"])
        #expect(header.entries.isEmpty)
    }

    @Test func entries_AreCapped() {
        let header = SignatureHeader(values: [Array(repeating: "v1,\(mac)", count: 40).joined(separator: " ")])
        #expect(header.entries.count == SignatureHeader.maximumEntries)
    }
}
