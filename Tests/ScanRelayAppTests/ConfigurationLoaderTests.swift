import Foundation
import Logging
import ScanCore
import Testing
@testable import ScanRelayApp

@Suite struct ConfigurationLoaderTests {
    typealias Fixtures = ConfigurationFixtures

    func load(_ yaml: String, environment: [String: String] = [:], listen: String? = nil) throws -> AppConfiguration {
        try ConfigurationLoader(environment: environment).load(yaml: yaml, file: "test.yaml", listen: listen)
    }

    @Test func withoutAFileEveryValueIsTheDocumentedDefault() throws {
        let configuration = try ConfigurationLoader(environment: [:]).load(file: nil)
        #expect(configuration == AppConfiguration())
        #expect(configuration.listen.description == "127.0.0.1:8080")
        #expect(configuration.api.tokens.isEmpty && !configuration.api.allowAnonymous)
        let limits = configuration.limits
        #expect(limits.maxBodyBytes == 1 << 20 && limits.maxHeaderBytes == 16 << 10 && limits.maxRequestLineBytes == 8 << 10)
        #expect(limits.maxHeaderFields == 100 && limits.maxConnections == 10_000)
        #expect(limits.headerTimeout == .seconds(10) && limits.idleTimeout == .seconds(60) && limits.shutdownGrace == .seconds(10))
        #expect(configuration.cache.maxScans == 100_000 && configuration.cache.eventRing == 10_000)
        #expect(configuration.cache.ssePingInterval == .seconds(15))
        #expect(configuration.cache.dedupeKeys == 100_000 && configuration.cache.dedupeWindow == .seconds(72 * 3600))
        #expect(configuration.state.dir == nil && configuration.state.postgres == nil)
        #expect(configuration.state.postgresConnections == 4)
        let poll = configuration.poll
        #expect(poll.largeImageBytes == 500 << 20 && poll.maxWatchAge == .seconds(86_400) && poll.concurrencyPerSource == 4)
        #expect(poll.requestTimeout == .seconds(30))
        #expect(poll.interval == .init(min: .seconds(30), max: .seconds(300)))
        #expect(poll.backoff == .init(base: .seconds(1), max: .seconds(300)))
        #expect(poll.unknownSize == .init(min: .seconds(300), max: .seconds(3600)))
        #expect(poll.expectedDuration.map(\.below) == [64 << 20, 500 << 20, nil])
        #expect(configuration.sources.isEmpty && configuration.logLevel == .info && configuration.logFormat == .text)
    }

    @Test func postgresModeTakesItsPoolSize() throws {
        let configuration = try load("state: { postgres: \"host=/run/pg dbname=scanrelay\", postgresConnections: 12 }\n")
        #expect(configuration.state.postgres == "host=/run/pg dbname=scanrelay" && configuration.state.postgresConnections == 12)
    }

    @Test func anEmptyFileOrOneWithOnlyCommentsIsAllDefaults() throws {
        #expect(try load("") == AppConfiguration())
        #expect(try load("# nothing set yet\n") == AppConfiguration())
    }

    @Test func theProductExampleLoadsWithEveryValue() throws {
        let directory = try Fixtures.TemporaryDirectory()
        let ciToken = try directory.write("ci-token", "ci-token-value\n")
        let yandexSecret = try directory.write("yandex-webhook", Fixtures.webhookSecret + "\r\n")
        let yaml = ConfigurationFixtures.productExample
            .replacingOccurrences(of: "/run/secrets/ci-token", with: ciToken)
            .replacingOccurrences(of: "/run/secrets/yandex-webhook", with: yandexSecret)
        let configuration = try load(yaml, environment: Fixtures.environment)

        #expect(configuration.api.tokens == [
            APIToken(token: "read-token-0123456789", scopes: [.read]),
            APIToken(token: "ci-token-value", scopes: [.read, .write]),
        ])
        #expect(configuration.limits.maxBodyBytes == 1 << 20 && configuration.limits.maxConnections == 10_000)
        #expect(configuration.state.dir == "/var/lib/scanrelay")
        #expect(configuration.poll.expectedDuration == PollConfiguration.ExpectedDurationRow.binarlyTable)
        #expect(configuration.poll.expectedDuration.last?.duration == .init(min: .seconds(3600), max: .seconds(3 * 3600)))

        #expect(configuration.sources.map(\.name) == ["binarly", "yandex", "opsmx", "harbor"])
        #expect(configuration.sources.map(\.provider) == [.binarly, .yandex, .opsmx, .harbor])
        let binarly = try #require(configuration.source(named: "binarly"))
        #expect(binarly.upstream == UpstreamSettings(baseURL: URL(string: "https://binarly.example.com")!, auth: .bearer("binarly-token")))
        #expect(binarly.webhook == WebhookSettings(verify: .standardWebhooks, secrets: [Fixtures.webhookSecret]))
        let yandex = try #require(configuration.source(named: "yandex"))
        #expect(yandex.webhook.secrets == [Fixtures.webhookSecret])
        let opsmx = try #require(configuration.source(named: "opsmx"))
        #expect(opsmx.upstream?.baseURL.absoluteString == "https://ssd.example.com/gate")
        #expect(opsmx.upstream?.auth == .header(name: "X-OpsMx-Auth", value: "Bearer opsmx-token"))
        #expect(opsmx.webhook == WebhookSettings(verify: .hmacSHA256, secrets: ["opsmx-hmac-secret"], header: "X-Hub-Signature-256"))
        let harbor = try #require(configuration.source(named: "harbor"))
        #expect(harbor.upstream == nil)
        #expect(harbor.webhook == WebhookSettings(verify: .token, tokens: ["Basic aGFyYm9yOnNlY3JldA=="]))
    }

    @Test func jsonIsReadLikeTheSameYAML() throws {
        let json = """
        {"listen": "127.0.0.1:9090", "limits": {"maxBodyBytes": "2MiB", "idleTimeout": "90s"},
         "sources": [{"name": "relay", "provider": "scanrelay", "webhook": {"verify": "none"}}]}
        """
        let yaml = """
        listen: 127.0.0.1:9090
        limits: { maxBodyBytes: 2MiB, idleTimeout: 90s }
        sources:
          - { name: relay, provider: scanrelay, webhook: { verify: none } }
        """
        let fromJSON = try load(json)
        #expect(fromJSON == (try load(yaml)))
        #expect(fromJSON.listen.port == 9090 && fromJSON.limits.maxBodyBytes == 2 << 20 && fromJSON.limits.idleTimeout == .seconds(90))
        #expect(fromJSON.sources == [SourceConfiguration(name: "relay", provider: .scanrelay, webhook: WebhookSettings(verify: .none))])
    }

    @Test func aPartialSectionKeepsTheOtherDefaultsOfThatSection() throws {
        let configuration = try load("limits: { headerTimeout: 2s }\npoll: { interval: { max: 1m } }")
        #expect(configuration.limits == LimitsConfiguration(headerTimeout: .seconds(2)))
        #expect(configuration.poll.interval == .init(min: .seconds(30), max: .seconds(60)))
    }

    @Test func theDedupeLedgerIsSizedFromTheCacheSection() throws {
        let configuration = try load("cache: { dedupeKeys: 5000, dedupeWindow: 24h }")
        #expect(configuration.cache.dedupeKeys == 5000 && configuration.cache.dedupeWindow == .seconds(86_400))
        #expect(configuration.cache.maxScans == 100_000)
        #expect(throws: ConfigurationError.self) { try load("cache: { dedupeKeys: 0 }") }
    }

    @Test func staleAfter_DefaultsToADay_AndReachesTheStore() throws {
        #expect(try load("").storeConfiguration.staleAfter == .seconds(86_400))
        let configuration = try load("cache: { maxScans: 500, staleAfter: 2h }")
        #expect(configuration.storeConfiguration == ScanStore.Configuration(maxScans: 500, maxWaiters: 1_000, staleAfter: .seconds(7200)))
        #expect(throws: ConfigurationError.self) { try load("cache: { staleAfter: 0s }") }
    }

    @Test func anyScalarMayComeFromTheEnvironment() throws {
        // Unquoted in block style; flow style (`{ ... }`) needs quotes because `{` and `}` are YAML indicators there.
        let yaml = "limits:\n  idleTimeout: \"${IDLE}\"\n  maxConnections: ${CONNS}\n"
        let configuration = try load(yaml, environment: ["IDLE": "5m", "CONNS": "42"])
        #expect(configuration.limits.idleTimeout == .seconds(300) && configuration.limits.maxConnections == 42)
    }

    @Test func environmentVariablesOverrideTheFileAndTheListenOptionOverridesBoth() throws {
        let yaml = "listen: 127.0.0.1:1000\nlogLevel: debug\nlogFormat: text\napi: { allowAnonymous: false }"
        let environment = [
            "SCANRELAY_LISTEN": "0.0.0.0:2000", "SCANRELAY_LOG_LEVEL": "warning", "SCANRELAY_LOG_FORMAT": "json",
            "SCANRELAY_ALLOW_ANONYMOUS": "true",
        ]
        let fromEnvironment = try load(yaml, environment: environment)
        #expect(fromEnvironment.listen == ListenAddress(host: "0.0.0.0", port: 2000))
        #expect(fromEnvironment.logLevel == .warning && fromEnvironment.logFormat == .json && fromEnvironment.api.allowAnonymous)
        #expect(try load(yaml, environment: environment, listen: "[::1]:0").listen == ListenAddress(host: "::1", port: 0))
    }

    @Test func tokensFromTheEnvironmentAreAddedToThoseOfTheFile() throws {
        let yaml = "api: { tokens: [ { token: file-token, scopes: [read] } ] }"
        let configuration = try load(yaml, environment: ["SCANRELAY_API_TOKENS": "ci:read+write, dash:board:read,file-token:read"])
        #expect(configuration.api.tokens == [
            APIToken(token: "file-token", scopes: [.read]),
            APIToken(token: "ci", scopes: [.read, .write]),
            APIToken(token: "dash:board", scopes: [.read]),
        ])
    }

    @Test func theConfigurationFileComesFromTheOptionElseFromScanrelayConfig() {
        let loader = ConfigurationLoader(environment: ["SCANRELAY_CONFIG": "/etc/scanrelay.yaml"])
        #expect(loader.configurationFile(option: nil) == "/etc/scanrelay.yaml")
        #expect(loader.configurationFile(option: "mine.yaml") == "mine.yaml")
        #expect(ConfigurationLoader(environment: [:]).configurationFile(option: nil) == nil)
    }

    @Test func aFileIsReadFromDisk() throws {
        let directory = try Fixtures.TemporaryDirectory()
        let file = try directory.write("scanrelay.yaml", "listen: 127.0.0.1:7000\n")
        #expect(try ConfigurationLoader(environment: [:]).load(file: file).listen.port == 7000)
    }

    @Test func aMissingFileIsOneProblemNamingIt() {
        #expect(throws: ConfigurationError.self) { try ConfigurationLoader(environment: [:]).load(file: "/nonexistent/x.yaml") }
        do {
            _ = try ConfigurationLoader(environment: [:]).load(file: "/nonexistent/x.yaml")
        } catch {
            #expect(error.problems.count == 1)
            #expect(error.description.hasPrefix("/nonexistent/x.yaml: cannot read the configuration file"))
        }
    }

    @Test func anOpenAPIIsAllowedOnLoopbackWithTokensOrWithAllowAnonymous() throws {
        #expect(try load("listen: 127.0.0.1:80").api.isOpen)
        #expect(try load("listen: \"[::1]:80\"").api.isOpen)
        _ = try load("listen: 0.0.0.0:80\napi: { tokens: [ { token: t, scopes: [read] } ] }")
        _ = try load("listen: 0.0.0.0:80\napi: { allowAnonymous: true }")
        _ = try load("listen: 0.0.0.0:80", environment: ["SCANRELAY_API_TOKENS": "t:read"])
    }

    @Test func describingTheConfigurationNeverShowsASecret() throws {
        let configuration = try load(ConfigurationFixtures.productExample
            .replacingOccurrences(of: "tokenFile: /run/secrets/ci-token", with: "token: ci-token-value")
            .replacingOccurrences(of: "secretFile: /run/secrets/yandex-webhook", with: "secret: \(Fixtures.webhookSecret)"),
            environment: Fixtures.environment)
        let text = "\(configuration)"
        for secret in Fixtures.environment.values.filter({ $0 != "" }) + ["ci-token-value"] {
            #expect(!text.contains(secret), "description shows \(secret)")
        }
    }
}

extension ConfigurationFixtures {
    /// The configuration shape of PRODUCT.md, verbatim.
    static let productExample = """
    listen: 127.0.0.1:8080
    api:
      tokens:                      # none: the API is open (loopback only, unless allowAnonymous)
        - { token: "${SCANRELAY_READ_TOKEN}", scopes: [read] }
        - { tokenFile: /run/secrets/ci-token, scopes: [read, write] }
      allowAnonymous: false
    limits: { maxBodyBytes: 1MiB, maxHeaderBytes: 16KiB, maxConnections: 10000, headerTimeout: 10s, idleTimeout: 60s }
    cache: { maxScans: 100000, eventRing: 10000 }
    state: { dir: /var/lib/scanrelay }   # optional journal of deliveries, dedupe keys and watches; omitted: memory only
    poll:
      largeImageBytes: 500MiB      # at or above: poll on schedule, never wait for a webhook
      expectedDuration:            # by image size, as in Binarly's table; the last row has no `below`
        - { below: 64MiB,  min: 5m,  max: 10m }
        - { below: 500MiB, min: 10m, max: 60m }
        - { min: 60m, max: 3h }
      unknownSize: { min: 5m, max: 60m }
      interval: { min: 30s, max: 5m }        # grows from min toward max while a scan runs
      backoff:  { base: 1s, max: 5m }        # after errors: exponential, with jitter
      maxWatchAge: 24h
      concurrencyPerSource: 4
    sources:
      - name: binarly                        # used in /v1/webhooks/{name} and in scan ids
        provider: binarly
        upstream:
          baseURL: https://binarly.example.com
          auth: { bearer: "${BINARLY_TOKEN}" }     # or oauth2: { tokenURL, clientID, clientSecret, audience }
        webhook: { verify: standard-webhooks, secret: "${BINARLY_WEBHOOK_SECRET}" }
      - name: yandex
        provider: yandex
        upstream: { baseURL: https://container-registry.api.cloud.yandex.net, auth: { bearer: "${YC_IAM_TOKEN}" } }
        webhook: { verify: standard-webhooks, secretFile: /run/secrets/yandex-webhook }
      - name: opsmx
        provider: opsmx
        upstream: { baseURL: https://ssd.example.com/gate, auth: { header: X-OpsMx-Auth, value: "Bearer ${OPSMX_TOKEN}" } }
        webhook: { verify: hmac-sha256, header: X-Hub-Signature-256, secret: "${OPSMX_WEBHOOK_SECRET}" }
      - name: harbor
        provider: harbor
        webhook: { verify: token, token: "${HARBOR_AUTH_HEADER}" }
    """
}
