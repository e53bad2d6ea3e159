import Foundation
import Testing
@testable import ScanCore

struct ScanMergeTests {
    private let now = Date.t(1000)

    /// Applies `updates` in order to an empty record.
    private func applyAll(_ updates: [ScanUpdate], now: Date = .t(1000)) -> Scan {
        var scan = ScanMerge.makeScan(updates[0], now: now)
        for update in updates.dropFirst() {
            scan = ScanMerge.merge(update, into: scan, now: now) ?? scan
        }
        return scan
    }

    /// The record without what counts the changes as they happened.
    private func content(_ scan: Scan) -> Scan {
        var scan = scan
        scan.revision = 0
        scan.updatedAt = .t(0)
        return scan
    }

    @Test func firstUpdate_CreatesRevisionOne_WithUpstreamCreationTime() {
        let scan = ScanMerge.makeScan(.make(created: .t(5), updated: .t(6)), now: now)
        #expect(scan.revision == 1)
        #expect(scan.id == "binarly:01SCAN")
        #expect(scan.createdAt == .t(5))
        #expect(scan.updatedAt == now)
        #expect(scan.upstreamUpdatedAt == .t(6))
    }

    @Test func firstUpdate_WithoutCreationTime_IsCreatedWhenFirstSeen() {
        #expect(ScanMerge.makeScan(.make(), now: now).createdAt == now)
    }

    @Test func terminalState_BeatsANewerNonTerminalOne() {
        let completed = ScanUpdate.make(status: .completed, updated: .t(10))
        let running = ScanUpdate.make(status: .running, updated: .t(20))
        #expect(applyAll([completed, running]).status == .completed)
        #expect(applyAll([running, completed]).status == .completed)
    }

    @Test func newerUpstreamTime_Wins() {
        let older = ScanUpdate.make(status: .queued, updated: .t(10))
        let newer = ScanUpdate.make(status: .running, updated: .t(20), findings: Findings(high: 1))
        #expect(applyAll([older, newer]).upstreamUpdatedAt == .t(20))
        #expect(applyAll([newer, older]).status == .running)
    }

    @Test func staleUpdate_NeverOverwritesANewerOne_AndIsNoChange() {
        let newer = ScanMerge.makeScan(.make(status: .failed, updated: .t(20), raw: #"{"v":2}"#), now: now)
        let stale = ScanUpdate.make(status: .completed, updated: .t(10), raw: #"{"v":1}"#)
        #expect(ScanMerge.merge(stale, into: newer, now: .t(2000)) == nil)
    }

    @Test func anUpdateWithATime_BeatsOneWithout() {
        let untimed = ScanUpdate.make(status: .running, updated: nil, via: .poll)
        let timed = ScanUpdate.make(status: .queued, updated: .t(1), via: .webhook)
        #expect(applyAll([timed, untimed]).status == .queued)
    }

    @Test func atEqualUpstreamTime_APollBeatsAWebhook() {
        let webhook = ScanUpdate.make(status: .completed, updated: .t(10), findings: Findings(low: 1), via: .webhook)
        let poll = ScanUpdate.make(status: .completed, updated: .t(10), findings: Findings(high: 3), via: .poll)
        for order in [[webhook, poll], [poll, webhook]] {
            let scan = applyAll(order)
            #expect(scan.via == .poll)
            #expect(scan.findings == Findings(high: 3))
        }
    }

    @Test func reFetchOfTheSameState_TurnsViaIntoPoll() {
        let hinted = ScanMerge.makeScan(.make(status: .completed, updated: .t(10), via: .webhook), now: now)
        let refetched = ScanMerge.merge(.make(status: .completed, updated: .t(10), via: .poll), into: hinted, now: .t(1001))
        #expect(refetched?.via == .poll)
        #expect(refetched?.revision == 2)
    }

    @Test func sameUpdateTwice_ChangesNothing() {
        let update = ScanUpdate.make(status: .running, updated: .t(3), findings: Findings(critical: 1), raw: "{}")
        let scan = ScanMerge.makeScan(update, now: now)
        #expect(ScanMerge.merge(update, into: scan, now: .t(2000)) == nil)
    }

    @Test func change_BumpsRevisionAndUpdatedAt_ButKeepsCreatedAt() throws {
        let scan = ScanMerge.makeScan(.make(status: .running, updated: .t(3)), now: now)
        let next = try #require(ScanMerge.merge(.make(status: .completed, updated: .t(4)), into: scan, now: .t(1500)))
        #expect(next.revision == 2)
        #expect(next.updatedAt == .t(1500))
        #expect(next.createdAt == scan.createdAt)
        #expect(next.completedAt == .t(4))
    }

    @Test func subjectFields_AreNotLostWhenANewerUpdateOmitsThem() {
        let withDigest = ScanUpdate.make(status: .running, updated: .t(1), digest: "sha256:aa")
        let newer = ScanUpdate.make(status: .completed, updated: .t(2), productId: "prod")
        for order in [[withDigest, newer], [newer, withDigest]] {
            let subject = applyAll(order).subject
            #expect(subject.digest == "sha256:aa")
            #expect(subject.productId == "prod")
        }
    }

    @Test func learningASubjectField_IsAChange() {
        let scan = ScanMerge.makeScan(.make(updated: .t(5)), now: now)
        let older = ScanUpdate.make(updated: .t(1), digest: "sha256:bb")
        #expect(ScanMerge.merge(older, into: scan, now: .t(1001))?.subject.digest == "sha256:bb")
    }

    @Test func createdAt_IsTheEarliestUpstreamCreationTime_ReplacingFirstSeen() {
        let seen = ScanMerge.makeScan(.make(updated: .t(5)), now: now)
        let first = ScanMerge.merge(.make(created: .t(3), updated: .t(5)), into: seen, now: .t(1001))
        #expect(first?.createdAt == .t(3))
        let later = first.flatMap { ScanMerge.merge(.make(created: .t(4), updated: .t(5)), into: $0, now: .t(1002)) }
        #expect(later == nil)
        let earlier = first.flatMap { ScanMerge.merge(.make(created: .t(2), updated: .t(5)), into: $0, now: .t(1002)) }
        #expect(earlier?.createdAt == .t(2))
    }

    @Test func nonFiniteScores_AreDropped_SoRedeliveryIsNoChange() {
        var update = ScanUpdate.make()
        update.score = .nan
        let scan = ScanMerge.makeScan(update, now: now)
        #expect(scan.score == nil)
        #expect(ScanMerge.merge(update, into: scan, now: now) == nil)
    }

    @Test func anyTwoUpdates_GiveTheSameRecordInEitherOrder() {
        var random = SplitMix64(seed: 42)
        for _ in 0..<5000 {
            let a = ScanUpdate.random(&random, conflictingSubjects: true)
            let b = ScanUpdate.random(&random, conflictingSubjects: true)
            let ab = content(applyAll([a, b]))
            let ba = content(applyAll([b, a]))
            #expect(ab == ba, "\(a)\n\(b)")
            if ab != ba { return }
        }
    }

    @Test func anyThreeUpdatesAgreeingOnTheSubject_GiveTheSameRecordInEveryOrder() {
        var random = SplitMix64(seed: 7)
        for _ in 0..<3000 {
            let updates = (0..<3).map { _ in ScanUpdate.random(&random, conflictingSubjects: false) }
            let results = updates.permutations.map { content(applyAll($0)) }
            #expect(Set(results).count == 1, "\(updates)")
            if Set(results).count != 1 { return }
        }
    }

    @Test func merging_IsIdempotent_ForEveryGeneratedUpdate() {
        var random = SplitMix64(seed: 99)
        for _ in 0..<2000 {
            let a = ScanUpdate.random(&random, conflictingSubjects: true)
            let b = ScanUpdate.random(&random, conflictingSubjects: true)
            let merged = applyAll([a, b])
            #expect(ScanMerge.merge(a, into: merged, now: .t(5000)) == nil)
            #expect(ScanMerge.merge(b, into: merged, now: .t(5000)) == nil)
        }
    }
}

/// A small seeded generator, so a failing case can be replayed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension ScanUpdate {
    /// Updates of one scan drawn from small domains, so that ties on every precedence key happen often.
    static func random(_ random: inout SplitMix64, conflictingSubjects: Bool) -> ScanUpdate {
        func pick<T>(_ values: [T]) -> T { values.randomElement(using: &random)! }
        var update = ScanUpdate.make(
            imageId: conflictingSubjects ? pick(["img", "img2"]) : "img",
            status: pick(ScanStatus.allCases), upstreamStatus: pick([nil, "a", "b"]),
            created: pick([nil, .t(-5), .t(0)]), updated: pick([nil, .t(1), .t(2)]),
            findings: pick([nil, Findings(low: 1), Findings(critical: 1)]), via: pick(ScanVia.allCases),
            digest: pick(conflictingSubjects ? [nil, "d1", "d2"] : [nil, "d1"]), productId: pick([nil, "p"]),
            raw: pick(["", "{}", "[1]"])
        )
        update.completedAt = pick([nil, .t(2)])
        update.score = pick([nil, 1.5, 2])
        update.checks = pick([[], [ScanCheck(name: "c", score: 1)], [ScanCheck(name: "c", reason: "r")]])
        return update
    }
}

extension Array {
    var permutations: [[Element]] {
        guard count > 1 else { return [self] }
        return indices.flatMap { index in
            var rest = self
            let head = rest.remove(at: index)
            return rest.permutations.map { [head] + $0 }
        }
    }
}
