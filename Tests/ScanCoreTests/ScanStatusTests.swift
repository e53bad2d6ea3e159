import Testing
@testable import ScanCore

struct ScanStatusTests {
    @Test func onlyCompletedFailedAndCancelled_AreTerminal() {
        #expect(ScanStatus.allCases.filter(\.isTerminal) == [.completed, .failed, .cancelled])
    }

    @Test func rawValues_AreTheProductVocabulary() {
        #expect(ScanStatus.allCases.map(\.rawValue)
            == ["queued", "running", "completed", "failed", "cancelled", "not_found", "unknown"])
    }

    @Test func unknownWords_ParseAsUnknown() {
        #expect(ScanStatus(parsing: "not_found") == .notFound)
        #expect(ScanStatus(parsing: "NOT_FOUND") == .unknown)
        #expect(ScanStatus(parsing: "") == .unknown)
    }
}
