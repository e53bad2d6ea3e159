import Foundation
import Testing
@testable import Webhooks

@Suite struct DeliveryLedgerTests {
    private let start = Date(timeIntervalSince1970: 1_700_000_000)

    @Test func secondClaim_IsADuplicate_UntilTheWindowHasPassed() {
        let ledger = DeliveryLedger(window: .seconds(60))
        #expect(ledger.claim("harbor:a", now: start) == .new)
        #expect(ledger.claim("harbor:a", now: start + 59) == .duplicate)
        #expect(ledger.claim("harbor:b", now: start + 59) == .new)
        #expect(ledger.claim("harbor:a", now: start + 60) == .new, "a claim exactly one window old has expired")
        #expect(ledger.count == 2)
    }

    @Test func defaultWindow_IsThreeDays() {
        let ledger = DeliveryLedger()
        #expect(ledger.claim("k", now: start) == .new)
        #expect(ledger.claim("k", now: start + 72 * 3600 - 1) == .duplicate)
        #expect(ledger.claim("k", now: start + 72 * 3600) == .new)
    }

    @Test func release_LetsTheRetryThrough() {
        let ledger = DeliveryLedger()
        #expect(ledger.claim("k", now: start) == .new)
        ledger.release("k")
        #expect(ledger.count == 0)
        #expect(ledger.claim("k", now: start + 1) == .new)
        #expect(ledger.claim("k", now: start + 2) == .duplicate)
    }

    @Test func capacity_DropsTheOldestFirst() {
        let ledger = DeliveryLedger(capacity: 3)
        for (offset, key) in ["a", "b", "c", "d"].enumerated() {
            #expect(ledger.claim(key, now: start + Double(offset)) == .new)
        }
        #expect(ledger.count == 3)
        #expect(ledger.claim("b", now: start + 10) == .duplicate)
        #expect(ledger.claim("a", now: start + 10) == .new, "the oldest key was forgotten")
    }

    @Test func releasedAndReclaimedKeys_KeepTheirNewPlaceInLine() {
        let ledger = DeliveryLedger(capacity: 2)
        #expect(ledger.claim("a", now: start) == .new)
        ledger.release("a")
        #expect(ledger.claim("b", now: start + 1) == .new)
        #expect(ledger.claim("a", now: start + 2) == .new)
        #expect(ledger.claim("c", now: start + 3) == .new)
        #expect(ledger.claim("a", now: start + 4) == .duplicate, "a's stale first claim was not taken for its latest")
        #expect(ledger.claim("b", now: start + 4) == .new, "b was the oldest live claim")
    }

    @Test func releaseAndReclaimCycles_StayCorrect_AsStaleEntriesAreSwept() {
        let ledger = DeliveryLedger(capacity: 3)
        #expect(ledger.claim("kept", now: start) == .new)
        for i in 0..<1_000 {
            #expect(ledger.claim("retried", now: start + Double(i)) == .new)
            ledger.release("retried")
        }
        #expect(ledger.claim("kept", now: start + 1_000) == .duplicate, "sweeping kept the live claim")
        #expect(ledger.count == 1)
    }

    @Test func manyKeys_ExpireAndStayBounded() {
        let ledger = DeliveryLedger(window: .seconds(100), capacity: 500)
        for i in 0..<10_000 {
            #expect(ledger.claim("k\(i)", now: start + Double(i)) == .new)
        }
        #expect(ledger.count == 100)
    }

    @Test func claims_ListsLiveKeysOldestFirst_AndReplayRestoresThem() {
        let ledger = DeliveryLedger()
        #expect(ledger.claim("b", now: start) == .new)
        #expect(ledger.claim("a", now: start + 1) == .new)
        #expect(ledger.claim("c", now: start + 2) == .new)
        ledger.release("a")
        let claims = ledger.claims()
        #expect(claims.map(\.key) == ["b", "c"])
        #expect(claims.map(\.claimedAt) == [start, start + 2])
        let restored = DeliveryLedger()
        for claim in claims { _ = restored.claim(claim.key, now: claim.claimedAt) }
        #expect(restored.claim("b", now: start + 3) == .duplicate)
        #expect(restored.claim("a", now: start + 3) == .new)
    }

    @Test func concurrentClaimsOfOneKey_YieldExactlyOneNew() async {
        let ledger = DeliveryLedger()
        let now = start
        let results = await withTaskGroup(of: DeliveryLedger.Claim.self) { group in
            for _ in 0..<100 { group.addTask { ledger.claim("msg_same", now: now) } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 100)
        #expect(results.filter { $0 == .new }.count == 1)
    }
}
