import Testing
@testable import Webhooks

@Suite struct DeliveryKeyTests {
    @Test func deliveryId_WinsOverPayloadKey_WhichWinsOverTheBodyDigest() {
        let body = Array("Hello, World!".utf8)
        #expect(DeliveryKey.make(source: "s", deliveryId: "msg_1", payloadKey: "k", body: body) == "s:id:msg_1")
        #expect(DeliveryKey.make(source: "s", deliveryId: nil, payloadKey: "k", body: body) == "s:payload:k")
        #expect(DeliveryKey.make(source: "s", deliveryId: nil, payloadKey: nil, body: body)
            == "s:sha256:dffd6021bb2bd5b0af676290809ec3a53191dd81c7f70a4b28688a362182986f")
    }

    @Test func hex_RoundTrips_AndRefusesOddOrNonHex() {
        #expect(Hex.encode([0x00, 0x0f, 0xa5, 0xff]) == "000fa5ff")
        #expect(Hex.decode(Array("000FA5ff".utf8)) == [0x00, 0x0f, 0xa5, 0xff])
        #expect(Hex.decode(Array("abc".utf8)) == nil)
        #expect(Hex.decode(Array("0g".utf8)) == nil)
    }
}
