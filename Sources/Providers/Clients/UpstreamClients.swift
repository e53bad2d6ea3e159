import Foundation
import ScanCore

/// The client for a source's provider, or nil for providers that have no API to poll (ScanRelay).
public func makeUpstreamClient(
    provider: Provider, source: String, configuration: UpstreamConfiguration, maxConnections: Int,
    now: @escaping @Sendable () -> Date = { Date() }
) -> (any UpstreamClient)? {
    switch provider {
    case .binarly: BinarlyClient(source: source, configuration: configuration, maxConnections: maxConnections, now: now)
    case .yandex: YandexClient(source: source, configuration: configuration, maxConnections: maxConnections, now: now)
    case .opsmx: OpsMxClient(source: source, configuration: configuration, maxConnections: maxConnections, now: now)
    case .harbor: HarborClient(source: source, configuration: configuration, maxConnections: maxConnections, now: now)
    case .scanrelay: nil
    }
}

/// Runs a provider decoder on a 2xx body: a body the decoder refuses is a malformed answer, and polling goes on.
func decoded<T>(_ decode: @autoclosure () throws(WebhookDecodeError) -> T) throws(UpstreamError) -> T {
    do {
        return try decode()
    } catch {
        throw .malformed(error.detail)
    }
}
