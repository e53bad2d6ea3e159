import Foundation
import Providers
import ScanCore
import Testing

@Suite struct ScanRefTests {
    @Test func validRefs_ForEachProvider() throws {
        #expect(try ScanRef(provider: .binarly, object: ["productId": "p", "imageId": "i"]) == .binarly(productId: "p", imageId: "i", scanId: nil))
        #expect(try ScanRef(provider: .yandex, object: ["scanResultId": "r"]) == .yandexScan(scanResultId: "r"))
        #expect(try ScanRef(provider: .yandex, object: ["imageId": "i"]) == .yandexImage(imageId: "i"))
        #expect(try ScanRef(provider: .opsmx, object: ["projectId": "0x1", "scanId": "0x2", "type": "sourceScan"])
            == .opsmx(projectId: "0x1", scanId: "0x2", type: "sourceScan"))
        let harbor = try ScanRef(provider: .harbor, object: ["repository": "library/team/nginx", "reference": "sha256:abc"])
        #expect(harbor == .harbor(repository: "library/team/nginx", reference: "sha256:abc"))
        #expect(try JSONDecoder().decode(ScanRef.self, from: JSONEncoder().encode(harbor)) == harbor, "journaled and read back")
    }

    @Test(arguments: [
        (Provider.binarly, ["imageId": "i"], "productId: is required"),
        (.binarly, ["productId": "p", "imageId": "i", "scanResultId": "x"], "scanResultId: is not a field of this ref"),
        (.binarly, ["productId": "", "imageId": "i"], "productId: must not be empty"),
        (.binarly, ["productId": "p q", "imageId": "i"], "productId: must be an id: visible ASCII without / ? # % or \\"),
        (.binarly, ["productId": "..", "imageId": "i"], "productId: must be an id: visible ASCII without / ? # % or \\"),
        (.binarly, ["productId": String(repeating: "p", count: 257), "imageId": "i"], "productId: is longer than 256 characters"),
        (.yandex, [:], "scanResultId: a yandex ref needs scanResultId or imageId"),
        (.yandex, ["scanResultId": "r", "imageId": "i"], "imageId: is not a field of this ref"),
        (.opsmx, ["projectId": "p", "scanId": "s"], "type: is required"),
        (.harbor, ["imageId": "i"], "repository: is required"),
        (.harbor, ["repository": "nginx", "reference": "latest"], "repository: must be <project>/<repository>, such as library/nginx"),
        (.harbor, ["repository": "library/../x", "reference": "latest"], "repository: must be an id: visible ASCII without / ? # % or \\"),
        (.harbor, ["repository": "library/nginx"], "reference: is required"),
    ])
    func refsThatDoNotFit_NameTheField(provider: Provider, fields: [String: String], message: String) {
        #expect(throws: ScanRefError.self) { try ScanRef(provider: provider, object: fields) }
        do {
            _ = try ScanRef(provider: provider, object: fields)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func nonStringValues_AreNamed() {
        #expect(throws: ScanRefError(field: "productId", problem: "must be a string")) {
            try ScanRef(provider: .binarly, object: ["productId": 1, "imageId": "i"])
        }
    }

    @Test func upstreamIds_AreThoseOfTheScansTheyName() {
        #expect(ScanRef.binarly(productId: "p", imageId: "i", scanId: "s").upstreamId == "s")
        #expect(ScanRef.binarly(productId: "p", imageId: "i", scanId: nil).upstreamId == nil)
        #expect(ScanRef.yandexScan(scanResultId: "r").upstreamId == "r")
        #expect(ScanRef.yandexImage(imageId: "i").upstreamId == nil)
        #expect(ScanRef.opsmx(projectId: "p", scanId: "s", type: "t").upstreamId == "p/t/s")
        #expect(ScanRef.yandexImage(imageId: "i").provider == .yandex)
    }

    @Test func codable_RoundTripsEveryShape() throws {
        let refs: [ScanRef] = [
            .binarly(productId: "p", imageId: "i", scanId: "s"), .binarly(productId: "p", imageId: "i", scanId: nil),
            .yandexScan(scanResultId: "r"), .yandexImage(imageId: "i"), .opsmx(projectId: "p", scanId: "s", type: "t"),
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = try encoder.encode(refs)
        #expect(String(decoding: data, as: UTF8.self).hasPrefix(#"[{"imageId":"i","productId":"p","scanId":"s"}"#))
        #expect(try JSONDecoder().decode([ScanRef].self, from: data) == refs)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ScanRef.self, from: Data(#"{"productId": "p"}"#.utf8)) }
    }
}

@Suite struct ScanRefRefetchTests {
    @Test func decodedScans_NameTheRefThatRefetchesThem() throws {
        #expect(ScanRef(refetching: try Fixture.scan(.binarly, "binarly-get-scan-docs")) == .binarly(
            productId: "01JQPGDX8QW0YJ0XEKV1EVG534", imageId: "01JYJ0W0AACGC7QT1Q21SRWG94", scanId: "01JZ30CYZY52F5BPR3AAJ2DP89"))
        #expect(ScanRef(refetching: try Fixture.scan(.yandex, "yandex-scan-result")) == .yandexScan(scanResultId: "crp7hk9c3c0m6f4sd1ab"))
        #expect(ScanRef(refetching: try Fixture.scan(.opsmx, "opsmx-webhook"))
            == .opsmx(projectId: "0x29ab7", scanId: "0x29ab8", type: "sourceScan"))
        #expect(ScanRef(refetching: try Fixture.scan(.harbor, "harbor-default-scanning-completed")) == .harbor(
            repository: "library/node", reference: "sha256:6094a544c2e2b6d4d5c1a1d0e8e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1"))
        #expect(ScanRef(refetching: try Fixture.scan(.scanrelay, "scanrelay-scan-completed"))?.provider == .binarly,
                "the ref follows the ids' provider; whether to poll is the receiving source's decision")
    }
}
