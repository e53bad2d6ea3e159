import Testing
@testable import ScanRelayApp

@Suite struct ConfigurationSyntaxTests {
    @Test(arguments: [
        ("250ms", Duration.milliseconds(250)), ("1500ms", .milliseconds(1500)), ("30s", .seconds(30)),
        ("5m", .seconds(300)), ("24h", .seconds(86_400)), ("1d", .seconds(86_400)), ("0s", .zero),
    ])
    func durationWithAUnitParses(text: String, expected: Duration) {
        #expect(DurationSyntax.parse(text) == expected)
    }

    @Test(arguments: ["", "30", "s", "1.5s", "-1s", "+1s", "30 s", "30sec", "1w", "5M", "ms30", "99999999999999999999s", "9223372036854775807d"])
    func durationWithoutAnIntegerAndAKnownUnitIsRejected(text: String) {
        #expect(DurationSyntax.parse(text) == nil)
    }

    @Test(arguments: [
        (Duration.milliseconds(250), "250ms"), (.seconds(90), "90s"), (.seconds(3600), "1h"), (.seconds(86_400), "1d"),
        (.zero, "0ms"),
    ])
    func durationFormatsAsItsShortestExactSpelling(duration: Duration, expected: String) {
        #expect(DurationSyntax.format(duration) == expected)
        if duration != .zero { #expect(DurationSyntax.parse(expected) == duration) }
    }

    @Test(arguments: [
        ("1048576", 1_048_576), ("0", 0), ("512B", 512), ("1KB", 1_000), ("500MB", 500_000_000), ("2GB", 2_000_000_000),
        ("1KiB", 1024), ("64MiB", 64 << 20), ("1GiB", 1 << 30),
    ])
    func sizeInBytesOrWithAUnitParses(text: String, expected: Int) {
        #expect(ByteSizeSyntax.parse(text) == expected)
    }

    @Test(arguments: ["", "MiB", "64mib", "64 MiB", "1.5MiB", "-1", "64TB", "64M", "64Mb", "99999999999999999999", "9999999999GiB"])
    func sizeWithoutAnIntegerAndAKnownUnitIsRejected(text: String) {
        #expect(ByteSizeSyntax.parse(text) == nil)
    }
}
