import FakeUpstreams
import Foundation
import Polling
import Providers
import ScanCore

/// ScanStore + WatchScheduler + real URLSession clients against fake upstreams on 127.0.0.1, with every duration
/// in milliseconds.
struct EndToEndHarness {
    static var fastPolicy: PollPolicy {
        var policy = PollPolicy()
        let expected = PollPolicy.Span(min: .milliseconds(10), max: .milliseconds(20))
        policy.expectedDuration = [.init(below: 64 << 20, expected: expected), .init(below: nil, expected: expected)]
        policy.unknownSize = expected
        policy.interval = .init(min: .milliseconds(10), max: .milliseconds(40))
        policy.backoff = .init(min: .milliseconds(5), max: .milliseconds(50))
        policy.requestTimeout = .milliseconds(500)
        policy.maxWatchAge = .seconds(60)
        return policy
    }

    let store = ScanStore()
    let probe = SchedulerProbe()
    let scheduler: WatchScheduler
    let running: SchedulerRun

    /// One source per fake: `binarly`, `yandex`, `opsmx`, each started on a free port.
    init(binarly: FakeBinarly? = nil, binarlyAuth: UpstreamAuth = .bearer("binarly-token"),
         yandex: FakeYandex? = nil, opsmx: FakeOpsMx? = nil, policy: PollPolicy = Self.fastPolicy) async throws {
        var sources: [String: WatchScheduler.Source] = [:]
        func configuration(_ base: URL, _ auth: UpstreamAuth) -> UpstreamConfiguration {
            UpstreamConfiguration(baseURL: base, auth: auth, requestTimeout: policy.requestTimeout)
        }
        if let binarly {
            var auth = binarlyAuth
            let base = try await binarly.start()
            if case .oauth2(var credentials) = auth, let tokenURL = binarly.tokenURL {
                credentials.tokenURL = tokenURL
                auth = .oauth2(credentials)
            }
            sources["binarly"] = .init(provider: .binarly, client: BinarlyClient(
                source: "binarly", configuration: configuration(base, auth), maxConnections: policy.concurrencyPerSource))
        }
        if let yandex {
            let base = try await yandex.start()
            sources["yandex"] = .init(provider: .yandex, client: YandexClient(
                source: "yandex", configuration: configuration(base, .bearer("yandex-iam-token")),
                maxConnections: policy.concurrencyPerSource))
        }
        if let opsmx {
            let base = try await opsmx.start()
            sources["opsmx"] = .init(provider: .opsmx, client: OpsMxClient(
                source: "opsmx", configuration: configuration(base, .header(name: "X-OpsMx-Auth", value: "Bearer opsmx-token")),
                maxConnections: policy.concurrencyPerSource))
        }
        scheduler = probe.scheduler(policy: policy, sources: sources, store: store)
        running = SchedulerRun(scheduler)
    }

    /// Adds a watch and waits until it has ended.
    func follow(_ request: WatchRequest) async throws -> Watch? {
        let watch = try await scheduler.add(request)
        return await probe.change(of: watch.id) { !$0.state.isActive }
    }
}

/// OAuth2 settings matching the fakes' `.oauth2` auth; the token URL is filled in once the fake listens.
let fakeOAuth2 = OAuth2Credentials(
    tokenURL: URL(string: "http://127.0.0.1:1/oauth/token")!, clientID: "scanrelay", clientSecret: "s3cret", audience: "main-api")
