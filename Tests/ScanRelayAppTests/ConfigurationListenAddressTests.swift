import Testing
@testable import ScanRelayApp

@Suite struct ConfigurationListenAddressTests {
    @Test(arguments: [
        ("127.0.0.1:8080", "127.0.0.1", 8080), ("0.0.0.0:0", "0.0.0.0", 0), ("[::1]:9000", "::1", 9000),
        ("[::]:80", "::", 80), ("scanrelay.internal:443", "scanrelay.internal", 443),
    ])
    func hostAndPortParse(text: String, host: String, port: Int) {
        #expect(ListenAddress(parsing: text) == ListenAddress(host: host, port: port))
    }

    @Test(arguments: ["", "8080", ":8080", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "::1:8080", "[::1]8080", "a b:80", "h:+80"])
    func anythingElseIsRejected(text: String) {
        #expect(ListenAddress(parsing: text) == nil)
    }

    @Test(arguments: ["127.0.0.1", "127.255.3.4", "::1", "localhost"])
    func loopbackAddressesAreLoopback(host: String) {
        #expect(ListenAddress(host: host, port: 1).isLoopback)
    }

    @Test(arguments: ["0.0.0.0", "::", "10.0.0.1", "128.0.0.1", "127.0.0", "127.0.0.256", "127.example.com", "127.0.0.1.2"])
    func otherAddressesAreNotLoopback(host: String) {
        #expect(!ListenAddress(host: host, port: 1).isLoopback)
    }

    @Test func anIPv6AddressIsWrittenInBrackets() {
        #expect(ListenAddress(host: "::1", port: 8080).description == "[::1]:8080")
        #expect(ListenAddress(host: "127.0.0.1", port: 8080).description == "127.0.0.1:8080")
    }
}
