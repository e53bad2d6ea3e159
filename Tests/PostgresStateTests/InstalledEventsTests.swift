import Testing
@testable import PostgresState

@Suite struct InstalledEventsTests {
    @Test func aPageTakesTheNotedIdsItHolds_AndForgetsEveryNotedIdUpToItsLast() {
        let installed = InstalledEvents()
        installed.note([3, 5, 9])
        #expect(installed.take(page: [1, 2, 3, 4]) == [3])
        // 5 was noted after the feed had read past it (the write's answer came back late): forgotten by the next page.
        #expect(installed.take(page: [6, 7]) == [])
        #expect(installed.count == 1)
        #expect(installed.take(page: []) == [])
        #expect(installed.take(page: [8, 9, 10]) == [9])
        #expect(installed.count == 0)
    }
}
