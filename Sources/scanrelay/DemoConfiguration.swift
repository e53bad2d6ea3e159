import Foundation
import ScanRelayApp

/// The service configuration of `demo`: the fakes as sources, and a poll schedule in seconds instead of minutes so
/// scans finish while one watches.
enum DemoConfiguration {
    struct Secrets {
        /// Standard Webhooks signing secret shared by the `yandex` and `relay` sources.
        let standardWebhooks = "whsec_" + Data((0..<24).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        /// `X-Hub-Signature-256` key of the `opsmx` source.
        let hmac = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        /// Harbor's "Auth Header" for the `harbor` source.
        let harborToken = "Basic " + Data("harbor:demo-\(UInt32.random(in: 0...UInt32.max))".utf8).base64EncodedString()
    }

    static func make(listen: ListenAddress, upstreams: DemoUpstreams, secrets: Secrets) -> AppConfiguration {
        var configuration = AppConfiguration(listen: listen)
        configuration.logLevel = .notice
        configuration.poll.expectedDuration = [
            .init(below: 64 << 20, duration: .init(min: .seconds(1), max: .seconds(3))),
            .init(below: 500 << 20, duration: .init(min: .seconds(2), max: .seconds(5))),
            .init(below: nil, duration: .init(min: .seconds(3), max: .seconds(8))),
        ]
        configuration.poll.unknownSize = .init(min: .seconds(1), max: .seconds(5))
        configuration.poll.interval = .init(min: .seconds(2), max: .seconds(4))
        configuration.poll.backoff = .init(base: .seconds(1), max: .seconds(4))
        configuration.poll.requestTimeout = .seconds(5)
        let standard = WebhookSettings(verify: .standardWebhooks, secrets: [secrets.standardWebhooks])
        configuration.sources = [
            SourceConfiguration(
                name: "binarly", provider: .binarly,
                upstream: UpstreamSettings(baseURL: upstreams.binarlyURL, auth: .bearer(DemoUpstreams.binarlyToken)),
                webhook: standard),
            SourceConfiguration(
                name: "yandex", provider: .yandex,
                upstream: UpstreamSettings(baseURL: upstreams.yandexURL, auth: .bearer(DemoUpstreams.yandexToken)),
                webhook: standard),
            SourceConfiguration(
                name: "opsmx", provider: .opsmx,
                upstream: UpstreamSettings(
                    baseURL: upstreams.opsmxURL, auth: .header(name: "X-OpsMx-Auth", value: DemoUpstreams.opsmxToken)),
                webhook: WebhookSettings(verify: .hmacSHA256, secrets: [secrets.hmac])),
            SourceConfiguration(
                name: "harbor", provider: .harbor,
                upstream: UpstreamSettings(
                    baseURL: upstreams.harborURL,
                    auth: .basic(username: DemoUpstreams.harborRobot, password: DemoUpstreams.harborSecret)),
                webhook: WebhookSettings(verify: .token, tokens: [secrets.harborToken])),
            SourceConfiguration(name: "relay", provider: .scanrelay, webhook: standard),
        ]
        return configuration
    }
}
