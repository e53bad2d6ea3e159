import AppState
import Foundation
import ScanCore
import Testing
import Locking
import Webhooks

/// What every `StateStore` promises, whatever keeps the state: a delivery's claim and scans are one unit, a duplicate
/// merges nothing, a failed unit gives its claim back, reads see what was kept.
@Suite struct StateStoreContractTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func update(_ number: Int, _ status: ScanStatus) -> ScanUpdate {
        ScanUpdate(
            source: "relay", provider: .scanrelay, upstreamId: "u-\(number)", subject: ScanSubject(imageId: "img-\(number)"),
            status: status, via: .webhook, raw: Array(#"{"number":\#(number)}"#.utf8))
    }

    /// The stores under test. The PostgreSQL store joins this list in its own target.
    static func stores() -> [any StateStore] {
        [MemoryStateStore(cache: ScanStore(), ledger: DeliveryLedger())]
    }

    @Test func aDuplicateDelivery_MergesNothing_AndRunsNoFollowUp() async throws {
        for state in Self.stores() {
            let first = try await state.acceptDelivery(key: "k-1", updates: [update(1, .running)], now: now) { _ in }
            guard case .accepted(let outcomes) = first else {
                Issue.record("first delivery not accepted: \(first)")
                continue
            }
            #expect(outcomes.count == 1)
            let followedUp = FollowUps()
            let again = try await state.acceptDelivery(key: "k-1", updates: [update(1, .completed)], now: now) { _ in
                followedUp.count()
            }
            #expect(again == .duplicate)
            #expect(followedUp.value == 0)
            #expect(try await state.scan(id: "relay:u-1", includingRaw: false)?.status == .running)
            await state.close()
        }
    }

    @Test func aFailedFollowUp_GivesTheClaimBack_SoTheRetryIsProcessed() async throws {
        for state in Self.stores() {
            await #expect(throws: StateError.self) {
                try await state.acceptDelivery(key: "k-2", updates: [update(2, .running)], now: now) { _ throws(StateError) in
                    throw .unavailable("the re-fetch queue is full", retryAfterSeconds: 10)
                }
            }
            let retry = try await state.acceptDelivery(key: "k-2", updates: [update(2, .running)], now: now) { _ in }
            #expect(retry != .duplicate)
            await state.close()
        }
    }

    @Test func changesArePublished_AndListed_NewestFirst() async throws {
        for state in Self.stores() {
            let before = state.events.lastEventId
            for number in 1...3 {
                _ = try await state.keepPollResult(update(number, .completed), now: now.addingTimeInterval(Double(number)))
            }
            #expect(state.events.lastEventId == before + 3)
            let page = try await state.list(ScanQuery(limit: 2))
            #expect(page.scans.map(\.id) == ["relay:u-3", "relay:u-2"])
            let rest = try await state.list(ScanQuery(limit: 2, pageToken: page.nextPageToken))
            #expect(rest.scans.map(\.id) == ["relay:u-1"])
            await #expect(throws: StateError.invalidPageToken) { try await state.list(ScanQuery(pageToken: "*not base64*")) }
            await state.close()
        }
    }
}

/// Counts follow-ups from a `@Sendable` closure.
final class FollowUps: Sendable {
    private let calls = Locked(0)
    func count() { calls.withLock { $0 += 1 } }
    var value: Int { calls.withLock { $0 } }
}
