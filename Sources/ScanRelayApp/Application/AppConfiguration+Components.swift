import HTTPCore
import HTTPServer
import Polling
import Providers
import ScanCore
import Webhooks

/// Maps the application's configuration onto the types of the modules it wires together.
extension AppConfiguration {
    var serverConfiguration: HTTPServerConfiguration {
        HTTPServerConfiguration(
            host: listen.host,
            port: listen.port,
            limits: HTTPLimits(
                maxRequestLineBytes: limits.maxRequestLineBytes, maxHeaderBytes: limits.maxHeaderBytes,
                maxHeaderFields: limits.maxHeaderFields, maxBodyBytes: limits.maxBodyBytes),
            maxConnections: limits.maxConnections,
            headerTimeout: limits.headerTimeout,
            bodyTimeout: limits.bodyTimeout,
            idleTimeout: limits.idleTimeout,
            writeTimeout: limits.writeTimeout,
            shutdownGrace: limits.shutdownGrace
        )
    }

    var storeConfiguration: ScanStore.Configuration {
        ScanStore.Configuration(
            maxScans: cache.maxScans, maxWaiters: cache.maxLongPollWaiters, staleAfter: cache.staleAfter)
    }

    var pollPolicy: PollPolicy {
        var policy = PollPolicy()
        policy.largeImageBytes = Int64(poll.largeImageBytes)
        policy.expectedDuration = poll.expectedDuration.map { row in
            PollPolicy.SizeClass(
                below: row.below.map(Int64.init), expected: PollPolicy.Span(min: row.duration.min, max: row.duration.max))
        }
        policy.unknownSize = PollPolicy.Span(min: poll.unknownSize.min, max: poll.unknownSize.max)
        policy.interval = PollPolicy.Span(min: poll.interval.min, max: poll.interval.max)
        policy.backoff = PollPolicy.Span(min: poll.backoff.base, max: poll.backoff.max)
        policy.maxWatchAge = poll.maxWatchAge
        policy.concurrencyPerSource = poll.concurrencyPerSource
        policy.requestTimeout = poll.requestTimeout
        policy.maxWatches = poll.maxWatches
        return policy
    }

    /// Whether the API would be open to anyone on a non-loopback address without that being asked for.
    var exposesOpenAPI: Bool {
        api.tokens.isEmpty && !listen.isLoopback && !api.allowAnonymous
    }
}

extension SourceConfiguration {
    var webhookScheme: WebhookScheme {
        switch webhook.verify {
        case .standardWebhooks: .standardWebhooks(secrets: webhook.secrets)
        case .hmacSHA256: .hmacSHA256(header: webhook.header, secrets: webhook.secrets)
        case .token: .token(values: webhook.tokens)
        case .none: .none
        }
    }

    /// How the upstream client reaches this source's API; nil for a webhook-only source.
    func upstreamConfiguration(requestTimeout: Duration) -> UpstreamConfiguration? {
        guard let upstream else { return nil }
        let auth: Providers.UpstreamAuth =
            switch upstream.auth {
            case .none: .none
            case .bearer(let token): .bearer(token)
            case .header(let name, let value): .header(name: name, value: value)
            case .basic(let username, let password): .basic(username: username, password: password)
            case .oauth2(let settings):
                .oauth2(
                    OAuth2Credentials(
                        tokenURL: settings.tokenURL, clientID: settings.clientID, clientSecret: settings.clientSecret,
                        audience: settings.audience))
            }
        let proxy: UpstreamProxy =
            switch upstream.proxy {
            case .environment: .environment
            case .url(let url): .url(url)
            case .none: .none
            }
        let tls = UpstreamTLS(caFile: upstream.tls.caFile, certFile: upstream.tls.certFile, keyFile: upstream.tls.keyFile)
        return UpstreamConfiguration(
            baseURL: upstream.baseURL, auth: auth, requestTimeout: requestTimeout, proxy: proxy, tls: tls)
    }
}
