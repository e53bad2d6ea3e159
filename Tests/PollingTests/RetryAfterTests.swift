import Foundation
import Testing
@testable import Providers

@Suite struct RetryAfterTests {
    let now = Date(timeIntervalSince1970: 784_111_777) // Sun, 06 Nov 1994 08:49:37 GMT

    @Test func seconds_AreReadAsADelay() {
        #expect(RetryAfter.parse("120", now: now) == .seconds(120))
        #expect(RetryAfter.parse(" 0 ", now: now) == .zero)
    }

    @Test func httpDate_IsReadRelativeToNow() {
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:50:07 GMT", now: now) == .seconds(30))
        #expect(RetryAfter.parse("Sunday, 06-Nov-94 08:50:37 GMT", now: now) == .seconds(60))
        #expect(RetryAfter.parse("Sun Nov  6 08:49:47 1994", now: now) == .seconds(10))
    }

    @Test func dateInThePast_IsNoDelay() {
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:00:00 GMT", now: now) == .zero)
    }

    @Test func unreadableValues_AreIgnored() {
        for value in [nil, "", "-5", "1.5", "soon", "99999999999999999999"] as [String?] {
            #expect(RetryAfter.parse(value, now: now) == nil)
        }
    }
}
