import Foundation
import HTTPCore
import Testing

@Suite struct ProblemDetailsTests {
    @Test func membersAreWrittenInTheirFixedOrderExtensionsSorted() {
        let problem = ProblemDetails(status: .badRequest, detail: "bad", extensions: ["field": "id", "at": "body"])
        #expect(String(decoding: problem.jsonBytes(), as: UTF8.self)
            == #"{"type":"about:blank","title":"Bad Request","status":400,"detail":"bad","at":"body","field":"id"}"#)
    }

    @Test func stringsFromOutsideAreEscapedAndReadBack() throws {
        let detail = "path \"/v1/x\\y\"\n\u{1}é \u{2028}🚀"
        let problem = ProblemDetails(status: .notFound, detail: detail, extensions: ["q\"": "\t"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(problem.jsonBytes())) as? [String: Any])
        #expect(object["detail"] as? String == detail)
        #expect(object["q\""] as? String == "\t")
        #expect(object["status"] as? Int == 404)
        #expect(String(decoding: problem.jsonBytes(), as: UTF8.self).contains(#""detail":"path \"/v1/x\\y\"\n\u0001é "#))
    }
}
