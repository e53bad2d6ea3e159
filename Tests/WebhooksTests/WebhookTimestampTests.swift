import Testing
@testable import Webhooks

@Suite struct WebhookTimestampTests {
    @Test func plainDigits_Parse_UpToTwelve() {
        #expect(WebhookTimestamp.parse("1614265330") == 1_614_265_330)
        #expect(WebhookTimestamp.parse("0") == 0)
        #expect(WebhookTimestamp.parse("000000000042") == 42)
        #expect(WebhookTimestamp.parse("999999999999") == 999_999_999_999)
        #expect(WebhookTimestamp.parse("1000000000000") == nil)
    }

    @Test(arguments: ["", "nan", "NaN", "inf", "1e9", "-1", "+5", "1.5", " 1", "1 ", "0x10", "１２"])
    func anythingElse_IsRefused(text: String) {
        #expect(WebhookTimestamp.parse(text) == nil)
    }
}
