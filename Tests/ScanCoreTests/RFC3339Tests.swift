import Foundation
import Testing
@testable import ScanCore

struct RFC3339Tests {
    @Test func yandexNineDigitFractions_AreParsed() throws {
        let date = try #require(RFC3339.parse("2019-10-31T10:11:48.129584522Z"))
        #expect(abs(date.timeIntervalSince1970 - 1_572_516_708.129584522) < 1e-6)
    }

    @Test(arguments: [
        ("2026-01-01T00:00:00Z", 0.0),
        ("2026-01-01T00:00:00.5Z", 0.5),
        ("2026-01-01t00:00:00z", 0.0),
        ("2026-01-01 00:00:00Z", 0.0),
        ("2026-01-01T02:30:00+02:30", 0.0),
        ("2025-12-31T23:00:00-01:00", 0.0),
        ("2026-01-01T00:01:30.000000000123Z", 90.0),
    ])
    func validTimestamps_Parse(text: String, secondsAfterNewYear: Double) {
        #expect(RFC3339.parse(text) == .t(secondsAfterNewYear))
    }

    @Test(arguments: [
        "", "2026-01-01", "2026-01-01T00:00:00", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z",
        "2026-01-01T24:00:00Z", "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00+0100", "2026-01-01T00:00:00Zjunk",
        "26-01-01T00:00:00Z",
    ])
    func malformedTimestamps_AreRejected(text: String) {
        #expect(RFC3339.parse(text) == nil)
    }

    @Test func leapDays_AreAccepted() {
        #expect(RFC3339.parse("2024-02-29T12:00:00Z") != nil)
        #expect(RFC3339.parse("2000-02-29T12:00:00Z") != nil)
        #expect(RFC3339.parse("1900-02-29T12:00:00Z") == nil)
    }

    @Test func formatting_TruncatesToWholeSeconds() {
        #expect(RFC3339.format(.t(0)) == "2026-01-01T00:00:00Z")
        #expect(RFC3339.format(.t(1.25)) == "2026-01-01T00:00:01Z")
        #expect(RFC3339.format(.t(1.999999)) == "2026-01-01T00:00:01Z")
        #expect(RFC3339.format(.t(59.851496)) == "2026-01-01T00:00:59Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59Z")
    }

    @Test func formatThenParse_IsStableOverManyDays() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let micros = Int64.random(in: -2_000_000_000_000_000...4_000_000_000_000_000, using: &generator)
            let date = Date(timeIntervalSince1970: Double(micros) / 1e6)
            let text = RFC3339.format(date)
            let parsed = try #require(RFC3339.parse(text), "\(text)")
            // Truncated: never after the exact time, and less than a second before it.
            #expect(parsed.timeIntervalSince(date) <= 1e-6 && date.timeIntervalSince(parsed) < 1, "\(text)")
            #expect(RFC3339.format(parsed) == text)
        }
    }
}
