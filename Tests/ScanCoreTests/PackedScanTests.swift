import Foundation
import Testing
@testable import ScanCore

struct PackedScanTests {
    @Test func packing_KeepsEveryField() {
        var scan = Scan.make(score: 4.5, checks: [ScanCheck(name: "c", score: 1, reason: "r", url: "u")], raw: "{}")
        scan.subject.productId = "prod"
        scan.subject.projectId = "0x29ab7"
        scan.createdAtIsUpstream = true
        #expect(PackedScan(scan).scan() == scan)
        #expect(PackedScan(scan).scan().createdAtIsUpstream)
        #expect(PackedScan(scan).scan(includingRaw: false).raw.isEmpty)
    }

    @Test func absentAndEmptyStrings_StayDistinct() {
        var scan = Scan.make(findings: nil)
        scan.subject = ScanSubject(imageId: "", productId: "", repository: nil, digest: "", tag: nil)
        scan.upstreamStatus = nil
        let unpacked = PackedScan(scan).scan()
        #expect(unpacked == scan)
        #expect(unpacked.subject.productId == "")
        #expect(unpacked.subject.repository == nil)
    }

    @Test func nonASCIIText_SurvivesPacking() {
        var scan = Scan.make(source: "sörce", upstreamId: "идентификатор/🚀")
        scan.subject.tag = "标签"
        #expect(PackedScan(scan).scan() == scan)
        #expect(PackedScan(scan).scan().id == "sörce:идентификатор/🚀")
    }

    @Test func filters_CompareThePackedBytes() {
        var scan = Scan.make()
        scan.subject.productId = "p1"
        let packed = PackedScan(scan)
        #expect(packed.matches(ScanQuery(source: "yandex", imageId: "crti2c9b", productId: "p1")))
        #expect(!packed.matches(ScanQuery(source: "yandex2")))
        #expect(!packed.matches(ScanQuery(source: "yande")))
        #expect(!packed.matches(ScanQuery(productId: "p2")))
        #expect(!PackedScan(Scan.make()).matches(ScanQuery(productId: "")))
        #expect(packed.matches(ScanQuery(status: .completed, updatedSince: scan.updatedAt)))
        #expect(!packed.matches(ScanQuery(provider: .binarly)))
    }

    @Test func recordKeys_FromARecordAndFromItsIdString_AreEqualAndHashAlike() {
        for scan in [Scan.make(), Scan.make(source: "sörce", upstreamId: "ид/🚀")] {
            let stored = RecordKey(ScanRecord(PackedScan(scan)))
            let probe = RecordKey(probe: scan.id)
            #expect(stored == probe)
            #expect(stored.hashValue == probe.hashValue)
            #expect(stored != RecordKey(probe: scan.id + "x"))
            #expect(Set([stored]).contains(probe))
        }
    }

    @Test func evictedRecords_KeepOnlyTheirId() {
        let record = ScanRecord(PackedScan(Scan.make(raw: "{}")))
        record.evict()
        #expect(record.packed == nil)
        #expect(record.id == "yandex:chk-1")
    }
}
