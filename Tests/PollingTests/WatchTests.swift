import Foundation
import Testing
@testable import Polling
import Providers

@Suite struct WatchTests {
    let created = Date(timeIntervalSince1970: 1_700_000_000)

    @Test func watchJSON_HasEveryKey_WithNullsAndRFC3339Times() throws {
        let watch = Watch(id: "w_1", source: "binarly", ref: .binarly(productId: "p", imageId: "i", scanId: nil),
                          scanStartedAt: created, createdAt: created, nextPollAt: created.addingTimeInterval(300))
        let object = try #require(JSONSerialization.jsonObject(with: JSONEncoder().encode(watch)) as? [String: Any])
        #expect(Set(object.keys) == ["id", "source", "ref", "imageSizeBytes", "expectWebhook", "scanStartedAt", "state",
                                     "scanId", "createdAt", "nextPollAt", "polls", "lastError"])
        #expect(object["ref"] as? [String: String] == ["productId": "p", "imageId": "i"])
        #expect(object["state"] as? String == "waiting")
        #expect(object["createdAt"] as? String == "2023-11-14T22:13:20Z")
        #expect(object["nextPollAt"] as? String == "2023-11-14T22:18:20Z")
        #expect(object["scanId"] is NSNull)
        #expect(object["expectWebhook"] as? Bool == false)
    }

    @Test func watchJSON_RoundTrips() throws {
        let watch = Watch(id: "w_2", source: "yandex", ref: .yandexImage(imageId: "crt"), imageSizeBytes: 1 << 30,
                          expectWebhook: true, scanStartedAt: created, state: .done, scanId: "yandex:che1",
                          createdAt: created, polls: 3, lastError: "upstream answered 502")
        #expect(try JSONDecoder().decode(Watch.self, from: JSONEncoder().encode(watch)) == watch)
    }

    @Test func list_IsNewestFirst_Paged_AndFilteredByState() async throws {
        let clock = ManualClock()
        let probe = SchedulerProbe()
        let scheduler = probe.scheduler(client: ScriptedClient(clock: clock, answers: [.success(.noScanYet)]), clock: clock)
        var ids: [String] = []
        for _ in 0..<5 {
            ids.append(try await scheduler.add(WatchRequest(source: "binarly", ref: .binarly(productId: "p", imageId: "i", scanId: nil))).id)
            clock.advance(by: .seconds(1))
        }
        await scheduler.cancel(id: ids[1])
        let first = try #require(await scheduler.list(limit: 2))
        #expect(first.watches.map(\.id) == [ids[4], ids[3]])
        let second = try #require(await scheduler.list(limit: 2, pageToken: first.nextPageToken))
        #expect(second.watches.map(\.id) == [ids[2], ids[1]])
        let last = try #require(await scheduler.list(limit: 2, pageToken: second.nextPageToken))
        #expect(last.watches.map(\.id) == [ids[0]])
        #expect(last.nextPageToken == nil)
        #expect(await scheduler.list(state: .cancelled)?.watches.map(\.id) == [ids[1]])
        #expect(await scheduler.list(pageToken: "not a token") == nil)
    }
}

@Suite struct WatchRestoreTests {
    @Test func restoredWatch_KeepsItsIdAndSchedule_AndPollsWhenDue() async throws {
        let clock = ManualClock()
        let probe = SchedulerProbe()
        let client = ScriptedClient(clock: clock, answers: [ScriptedClient.scan(.completed)])
        let scheduler = probe.scheduler(client: client, clock: clock)
        let running = SchedulerRun(scheduler)
        let journaled = Watch(id: "w_journaled", source: "binarly", ref: .binarly(productId: "prod", imageId: "img", scanId: nil),
                              scanStartedAt: clock.now, state: .polling, createdAt: clock.now.addingTimeInterval(-60),
                              nextPollAt: clock.now.addingTimeInterval(30), polls: 4)
        #expect(await scheduler.restore([WatchState(watch: journaled)]) == 1)
        #expect(await scheduler.restore([WatchState(watch: journaled)]) == 0)
        #expect(await scheduler.watch(id: "w_journaled") == journaled)
        clock.advance(by: .seconds(30))
        let done = await probe.change(of: "w_journaled") { $0.state == .done }
        #expect(done?.polls == 5)
        await running.stop()
    }
}
