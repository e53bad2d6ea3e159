import Testing
@testable import ScanRelayApp

/// Every validation message, input YAML → the exact lines `check-config` prints.
@Suite struct ConfigurationValidationTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var yaml: String
        var environment: [String: String] = [:]
        var listen: String?
        var expected: [String]
        var testDescription: String { expected.first ?? yaml }
    }

    static let secret = ConfigurationFixtures.webhookSecret
    static let tokensOpen = "api: { tokens: [ { token: t, scopes: [read] } ] }"
    static let valueGuide = "write bytes, or an integer with a unit B, KB, MB, GB, KiB, MiB or GiB, such as 64MiB"
    static let durationGuide = "write an integer with a unit ms, s, m, h or d, such as 250ms, 30s, 5m, 24h"
    static let exposure = "the API has no tokens, so anyone who can reach 0.0.0.0:8080 could read scans and start watches; "
        + "add api.tokens (or SCANRELAY_API_TOKENS), listen on a loopback address (127.0.0.1, ::1), "
        + "or set api.allowAnonymous: true (SCANRELAY_ALLOW_ANONYMOUS=true)"
    static let authChoices = "give exactly one of bearer: TOKEN, header: NAME with value: VALUE, oauth2: { tokenURL, clientID, clientSecret, audience }, or basic: { username, password }"

    /// A source whose only problem is the webhook section given.
    static func source(_ webhook: String) -> String {
        "sources:\n  - name: s\n    provider: binarly\n    webhook: \(webhook)\n"
    }

    /// A source whose only problem is the upstream section given.
    static func upstream(_ upstream: String) -> String {
        "sources:\n  - name: s\n    provider: binarly\n    upstream: \(upstream)\n    webhook: { verify: none }\n"
    }

    static let cases: [Case] = [
        // The document itself.
        Case(yaml: "a: [1\n", expected: ["test.yaml:2: not valid YAML: while parsing a flow sequence: did not find expected ',' or ']'"]),
        Case(yaml: "listen: 127.0.0.1:1\nlisten: 127.0.0.1:2\n", expected: ["test.yaml:1: not valid YAML: duplicate key listen; each key may appear once"]),
        Case(yaml: "- listen\n", expected: ["test.yaml:1: expected a mapping of keys to values, found a list"]),
        Case(yaml: "listne: 127.0.0.1:8080\n", expected: ["test.yaml:1: listne: unknown key; did you mean \"listen\"?"]),
        Case(yaml: "tls: true\n", expected: ["test.yaml:1: tls: unknown key; valid keys here: api, cache, limits, listen, logFormat, logLevel, poll, sources, state"]),
        Case(yaml: "logLevel: loud\nlogFormat: xml\n", expected: [
            "test.yaml:1: logLevel: \"loud\" is not valid; expected one of trace, debug, info, notice, warning, error, critical",
            "test.yaml:2: logFormat: \"xml\" is not valid; expected one of text, json",
        ]),
        // listen and the open-API rule.
        Case(yaml: "listen: localhost\n", expected: ["test.yaml:1: listen: \"localhost\" is not HOST:PORT; write e.g. 127.0.0.1:8080, 0.0.0.0:8080 or [::1]:8080"]),
        Case(yaml: "listen: 0.0.0.0:8080\n", expected: ["test.yaml:1: listen: \(exposure)"]),
        Case(yaml: "", environment: ["SCANRELAY_LISTEN": "0.0.0.0:8080"], expected: ["SCANRELAY_LISTEN: listen: \(exposure)"]),
        Case(yaml: "", listen: "0.0.0.0:8080", expected: ["--listen: listen: \(exposure)"]),
        Case(yaml: "", listen: "8080", expected: ["--listen: listen: \"8080\" is not HOST:PORT; write e.g. 127.0.0.1:8080 or [::1]:8080"]),
        // A secret interpolated under the wrong key is named by its variable, never echoed.
        Case(yaml: "limits: { idleTimeout: \"${TOKEN}\" }\n", environment: ["TOKEN": "s3cr3t-token"], expected: [
            "test.yaml:1: limits.idleTimeout: \"${TOKEN}\" is not a duration; \(durationGuide)",
        ]),
        Case(yaml: upstream("{ baseURL: \"${TOKEN}\", auth: { bearer: x } }"), environment: ["TOKEN": "s3cr3t-token"], expected: [
            "test.yaml:4: sources[0].upstream.baseURL: \"${TOKEN}\" is not an absolute http or https URL without query, such as https://scanner.example.com",
        ]),
        // SCANRELAY_* variables.
        Case(yaml: "", environment: [
            "SCANRELAY_LISTEN": "nope", "SCANRELAY_LOG_LEVEL": "loud", "SCANRELAY_LOG_FORMAT": "xml",
            "SCANRELAY_ALLOW_ANONYMOUS": "maybe", "SCANRELAY_API_TOKENS": "good:read,bad",
        ], expected: [
            "SCANRELAY_LISTEN: listen: \"nope\" is not HOST:PORT; write e.g. 0.0.0.0:8080 or [::1]:8080",
            "SCANRELAY_LOG_LEVEL: logLevel: \"loud\" is not a level; use one of trace, debug, info, notice, warning, error, critical",
            "SCANRELAY_LOG_FORMAT: logFormat: \"xml\" is not a format; use text or json",
            "SCANRELAY_ALLOW_ANONYMOUS: api.allowAnonymous: \"maybe\" is not a boolean; use true or false",
            "SCANRELAY_API_TOKENS: api.tokens: entry 2 has no token:scopes; write token:scope[+scope],... with scopes read and write, e.g. s3cret:read+write",
        ]),
        Case(yaml: "", environment: ["SCANRELAY_API_TOKENS": "t:read+admin"], expected: [
            "SCANRELAY_API_TOKENS: api.tokens: entry 1 is not valid; write token:scope[+scope],... with scopes read and write, e.g. s3cret:read+write",
        ]),
        // ${ENV} and ...File.
        Case(yaml: "state: { dir: \"${STATE_DIR}\" }\n", expected: ["test.yaml:1: state.dir: environment variable $STATE_DIR is not set; export it or write the value here"]),
        Case(yaml: "state: { dir: \"${STATE_DIR\" }\n", expected: ["test.yaml:1: state.dir: \"${\" without a closing \"}\"; write ${NAME}, or $${ for a literal ${"]),
        Case(yaml: "state: { dir: /a, dirFile: /b }\n", expected: ["test.yaml:1: state.dirFile: give either dir or dirFile, not both"]),
        Case(yaml: "state: { dirFile: /nonexistent/dir }\n", expected: ["test.yaml:1: state.dirFile: cannot read /nonexistent/dir (no such file); mount the file or fix the path"]),
        Case(yaml: "state: { dir: /a, postgres: \"host=/run/pg dbname=scanrelay\" }\n", expected: ["test.yaml:1: state.postgres: cannot be used with state.dir: one replica journals to a directory, several replicas share PostgreSQL"]),
        Case(yaml: "state: { postgres: \" \" }\n", expected: ["test.yaml:1: state.postgres: is empty; give a libpq connection string or URI, or remove it"]),
        Case(yaml: "state: { postgres: \"host=/run/pg\", postgresConnections: 0 }\n", expected: ["test.yaml:1: state.postgresConnections: \"0\" is not valid; expected an integer from 1 to 100"]),
        Case(yaml: "state: { dirFile: / }\n", expected: ["test.yaml:1: state.dirFile: cannot read / (it is a directory); mount the file or fix the path"]),
        Case(yaml: "state: { dir: \"\" }\n", expected: ["test.yaml:1: state.dir: is empty; give a directory path, or remove state for memory only"]),
        // api
        Case(yaml: "api:\n  tokens:\n    - { token: abc, scopes: [read, admin] }\n    - { scopes: [read] }\n    - { token: \"a b\", scopes: [] }\n    - { token: c }\n  allowAnonymus: true\n", expected: [
            "test.yaml:3: api.tokens[0].scopes: \"admin\" is not a scope; give a list of read and/or write, such as [read] or [read, write]",
            "test.yaml:4: api.tokens[1].token: is required; give the bearer token (token: \"${VAR}\" or tokenFile: /path)",
            "test.yaml:5: api.tokens[2].token: must be non-empty without spaces",
            "test.yaml:5: api.tokens[2].scopes: is empty; give a list of read and/or write, such as [read] or [read, write]",
            "test.yaml:6: api.tokens[3].scopes: is required; give a list of read and/or write, such as [read] or [read, write]",
            "test.yaml:7: api.allowAnonymus: unknown key; did you mean \"allowAnonymous\"?",
        ]),
        Case(yaml: "api:\n  tokens:\n    - { token: t, scopes: [read] }\n    - { token: t, scopes: [write] }\n", expected: [
            "test.yaml:4: api.tokens[1].token: the same token is listed twice; give each token once with all its scopes",
        ]),
        Case(yaml: "api: { allowAnonymous: yes please }\n", expected: ["test.yaml:1: api.allowAnonymous: \"yes please\" is not valid; expected true or false"]),
        Case(yaml: "api: { tokens: { token: t } }\n", expected: ["test.yaml:1: api.tokens: expected a list, found a mapping"]),
        // limits and cache
        Case(yaml: "limits:\n  maxBodyBytes: 1mb\n  maxHeaderFields: lots\n  maxConnections: -5\n  headerTimeout: 10\n  idleTimeout: 0s\n  maxHeaderBytes: 100\n  shutdownGrace: 0s\n", expected: [
            "test.yaml:2: limits.maxBodyBytes: \"1mb\" is not a size; \(valueGuide)",
            "test.yaml:3: limits.maxHeaderFields: \"lots\" is not valid; expected an integer from 8 to 10000",
            "test.yaml:4: limits.maxConnections: \"-5\" is not valid; expected an integer from 1 to 1000000",
            "test.yaml:5: limits.headerTimeout: \"10\" is not a duration; \(durationGuide)",
            "test.yaml:6: limits.idleTimeout: must be at least 1ms",
            "test.yaml:7: limits.maxHeaderBytes: must be at least 1024 bytes",
        ]),
        Case(yaml: "cache: [1, 2]\n", expected: ["test.yaml:1: cache: expected a mapping of keys to values, found a list"]),
        Case(yaml: "cache: { maxScans: 0, ssePingInterval: [15s] }\n", expected: [
            "test.yaml:1: cache.maxScans: \"0\" is not valid; expected an integer from 1 to 100000000",
            "test.yaml:1: cache.ssePingInterval: expected a single value, found a list",
        ]),
        // poll
        Case(yaml: "poll:\n  largeImageBytes: big\n  expectedDuration:\n    - { below: 500MiB, min: 5m, max: 10m }\n    - { below: 64MiB, min: 10m, max: 5m }\n    - { below: 1GiB, min: 1h }\n", expected: [
            "test.yaml:2: poll.largeImageBytes: \"big\" is not a size; \(valueGuide)",
            "test.yaml:5: poll.expectedDuration[1].below: must be larger than the previous row's below; order rows from small to large images",
            "test.yaml:5: poll.expectedDuration[1].max: must not be below min (10m)",
            "test.yaml:6: poll.expectedDuration[2].below: the last row has no below: it covers every larger image",
            "test.yaml:6: poll.expectedDuration[2].max: is required; give the longest expected scan time, e.g. 10m",
        ]),
        Case(yaml: "poll:\n  expectedDuration:\n    - { min: 1m, max: 2m }\n    - { min: 2m, max: 3m }\n", expected: [
            "test.yaml:3: poll.expectedDuration[0].below: is required; every row but the last gives the size it applies below",
        ]),
        Case(yaml: "poll: { expectedDuration: [] }\n", expected: [
            "test.yaml:1: poll.expectedDuration: is empty; give at least one row { min, max } (the last row without below)",
        ]),
        Case(yaml: "poll:\n  interval: { min: 10m }\n  unknownSize: { min: 2h, max: 1h }\n  backoff: { base: 1s, max: 1h, jitter: true }\n  concurrencyPerSource: 0\n", expected: [
            "test.yaml:2: poll.interval.min: must not be above max (5m); raise max too",
            "test.yaml:3: poll.unknownSize.max: must not be below min (2h)",
            "test.yaml:4: poll.backoff.jitter: unknown key; valid keys here: base, max",
            "test.yaml:5: poll.concurrencyPerSource: \"0\" is not valid; expected an integer from 1 to 256",
        ]),
        // sources: names and providers
        Case(yaml: "sources:\n  - name: a\n    provider: binary\n    webhook: { verify: none }\n  - name: a\n    provider: harbor\n    webhook: { verify: none }\n  - name: \"bad name/x\"\n    provider: harbor\n    webhook: { verify: none }\n  - webhok: {}\n", expected: [
            "test.yaml:3: sources[0].provider: \"binary\" is not valid; expected one of binarly, yandex, opsmx, harbor, scanrelay",
            "test.yaml:5: sources[1].name: \"a\" is already the name of the source on line 2; names must be unique",
            "test.yaml:8: sources[2].name: \"bad name/x\" is not a valid name; use letters, digits, '.', '_' or '-' (at most 64), such as binarly-prod",
            "test.yaml:11: sources[3].name: is required; give a name used in /v1/webhooks/{name} and scan ids",
            "test.yaml:11: sources[3].provider: is required; one of binarly, yandex, opsmx, harbor, scanrelay",
            "test.yaml:11: sources[3].webhook: is required; give webhook: { verify: standard-webhooks, secret: ... } (or verify: none explicitly)",
            "test.yaml:11: sources[3].webhok: unknown key; did you mean \"webhook\"?",
        ]),
        Case(yaml: "sources:\n  - name: r\n    provider: scanrelay\n    upstream: { baseURL: \"https://relay.example.com\" }\n    webhook: { verify: none }\n", expected: [
            "test.yaml:4: sources[0].upstream: provider scanrelay is not polled (webhooks only); remove upstream",
        ]),
        // sources: upstream.auth.basic (a Harbor robot account)
        Case(yaml: upstream("{ baseURL: \"https://x\", auth: { basic: { username: \"robot$p+ci\" } } }"), expected: [
            "test.yaml:4: sources[0].upstream.auth.basic.password: is required; give the account's password or secret (password or passwordFile)",
        ]),
        Case(yaml: upstream("{ baseURL: \"https://x\", auth: { basic: { password: s } } }"), expected: [
            "test.yaml:4: sources[0].upstream.auth.basic.username: is required; give the account name, e.g. a Harbor robot's full name robot$project+scanrelay",
        ]),
        Case(yaml: upstream("{ baseURL: \"https://x\", auth: { basic: { username: \"a:b\", password: s } } }"), expected: [
            "test.yaml:4: sources[0].upstream.auth.basic.username: contains ':', which Basic authentication cannot carry in a user name",
        ]),
        Case(yaml: upstream("{ baseURL: \"https://x\", auth: { basic: { username: u, password: \"\" } } }"), expected: [
            "test.yaml:4: sources[0].upstream.auth.basic.password: is empty; an empty credential would never be accepted",
        ]),
        Case(yaml: upstream("{ baseURL: \"https://x\", auth: { basic: { username: u, password: s, pasword: t } } }"), expected: [
            "test.yaml:4: sources[0].upstream.auth.basic.pasword: unknown key; did you mean \"password\"?",
        ]),
        // sources: upstream
        Case(yaml: upstream("{ auth: { bearer: t } }"), expected: [
            "test.yaml:4: sources[0].upstream.baseURL: is required; give the scanner API's base URL, e.g. https://scanner.example.com",
        ]),
        Case(yaml: upstream("{ baseURL: \"ftp://x\" }"), expected: [
            "test.yaml:4: sources[0].upstream.baseURL: \"ftp://x\" is not an absolute http or https URL without query, such as https://scanner.example.com",
        ]),
        Case(yaml: upstream("{ baseURL: \"https://x.example.com/gate?x=1\" }"), expected: [
            "test.yaml:4: sources[0].upstream.baseURL: \"https://x.example.com/gate?x=1\" is not an absolute http or https URL without query, such as https://scanner.example.com",
        ]),
        Case(yaml: upstream("{ baseURL: \"/relative\" }"), expected: [
            "test.yaml:4: sources[0].upstream.baseURL: \"/relative\" is not an absolute http or https URL without query, such as https://scanner.example.com",
        ]),
        Case(yaml: upstream("{ baseURL: \"https://x\", auth: { bearer: t, oauth2: {} } }"), expected: [
            "test.yaml:4: sources[0].upstream.auth: has bearer and oauth2; \(authChoices)",
        ]),
        Case(yaml: upstream("{ baseURL: \"https://x\", auth: {} }"), expected: ["test.yaml:4: sources[0].upstream.auth: has no credentials; \(authChoices)"]),
        Case(yaml: upstream("{ baseURL: \"https://x\", auth: { bearer: \"\" } }"), expected: [
            "test.yaml:4: sources[0].upstream.auth.bearer: is empty; an empty credential would never be accepted",
        ]),
        Case(yaml: upstream("{ baseURL: \"https://x\", auth: { header: X-A } }"), expected: [
            "test.yaml:4: sources[0].upstream.auth.value: is required; give the header's value, e.g. \"Bearer ${TOKEN}\"",
        ]),
        Case(yaml: upstream("{ baseURL: \"https://x\", auth: { header: \"X A\", value: v } }"), expected: [
            "test.yaml:4: sources[0].upstream.auth.header: \"X A\" is not a header name; use letters, digits and '-'",
        ]),
        Case(yaml: upstream("{ baseURL: \"https://x\", auth: { oauth2: { tokenURL: \"https://a/token\", clientID: \"\", scope: x } } }"), expected: [
            "test.yaml:4: sources[0].upstream.auth.oauth2.clientSecret: is required; give the OAuth2 client secret (clientSecret or clientSecretFile)",
            "test.yaml:4: sources[0].upstream.auth.oauth2.scope: unknown key; valid keys here: audience, clientID, clientSecret, tokenURL",
            "test.yaml:4: sources[0].upstream.auth.oauth2.clientID: is empty; an empty credential would never be accepted",
        ]),
        // sources: webhook
        Case(yaml: source("{ verify: sometimes }"), expected: [
            "test.yaml:4: sources[0].webhook.verify: \"sometimes\" is not valid; expected one of standard-webhooks, hmac-sha256, token, none",
        ]),
        Case(yaml: source("{ secret: \(secret) }"), expected: [
            "test.yaml:4: sources[0].webhook.verify: is required; one of standard-webhooks, hmac-sha256, token, none",
        ]),
        Case(yaml: source("{ verify: standard-webhooks }"), expected: [
            "test.yaml:4: sources[0].webhook.secret: is required; verify: standard-webhooks needs a signing secret (secret, secretFile or secrets)",
        ]),
        Case(yaml: source("{ verify: standard-webhooks, secret: notasecret, secrets: [\"whsec_%%%\", \(secret)] }"), expected: [
            "test.yaml:4: sources[0].webhook.secret: is not a Standard Webhooks key (the secret decodes to 7 bytes; use at least 24 random bytes); expected whsec_ + base64 (or bare base64) as the sender shows it, or whpk_ + base64 for v1a",
            "test.yaml:4: sources[0].webhook.secrets[0]: is not a Standard Webhooks key (the whsec_ secret is not valid base64); expected whsec_ + base64 (or bare base64) as the sender shows it, or whpk_ + base64 for v1a",
        ]),
        Case(yaml: source("{ verify: hmac-sha256, secrets: [a, \"\"], header: \"Bad Header\", token: x }"), expected: [
            "test.yaml:4: sources[0].webhook.token: does not apply to verify: hmac-sha256; remove it",
            "test.yaml:4: sources[0].webhook.header: \"Bad Header\" is not a header name; use letters, digits and '-', e.g. X-Hub-Signature-256",
            "test.yaml:4: sources[0].webhook.secrets[1]: is empty; an empty secret would accept forgeries",
        ]),
        Case(yaml: source("{ verify: token, header: X-Token }"), expected: [
            "test.yaml:4: sources[0].webhook.token: is required; verify: token needs the expected Authorization value (token, tokenFile or tokens)",
            "test.yaml:4: sources[0].webhook.header: applies only to verify: hmac-sha256; remove it",
        ]),
        Case(yaml: source("{ verify: token, tokens: [\"\"] }"), expected: [
            "test.yaml:4: sources[0].webhook.tokens[0]: is empty; an empty token would accept anyone",
        ]),
        Case(yaml: source("{ verify: none, secret: x }"), expected: [
            "test.yaml:4: sources[0].webhook.secret: does not apply to verify: none; remove it",
        ]),
        Case(yaml: source("{ verify: none, secrt: x }"), expected: [
            "test.yaml:4: sources[0].webhook.secrt: unknown key; did you mean \"secret\"?",
        ]),
    ]

    @Test(arguments: cases)
    func eachProblemIsReportedOnItsLineWithTheKeyPathAndTheFix(_ test: Case) {
        #expect(ConfigurationFixtures.problems(test.yaml, environment: test.environment, listen: test.listen) == test.expected)
    }

    @Test func everyProblemOfAFileIsReportedAtOnceInLineOrder() {
        let yaml = "logFormat: xml\nlimits: { idleTimeout: 0s }\nlistne: x\n"
        #expect(ConfigurationFixtures.problems(yaml, environment: ["SCANRELAY_LOG_LEVEL": "loud"]) == [
            "test.yaml:1: logFormat: \"xml\" is not valid; expected one of text, json",
            "test.yaml:2: limits.idleTimeout: must be at least 1ms",
            "test.yaml:3: listne: unknown key; did you mean \"listen\"?",
            "SCANRELAY_LOG_LEVEL: logLevel: \"loud\" is not a level; use one of trace, debug, info, notice, warning, error, critical",
        ])
    }

    @Test func noMessageShowsASecretValue() {
        let problems = ConfigurationFixtures.problems(
            Self.source("{ verify: standard-webhooks, secret: hunter2-is-secret }") + "  - name: t\n    provider: binarly\n    webhook: hunter3-is-secret\n"
        )
        #expect(problems.count == 2)
        #expect(!problems.joined().contains("hunter"))
    }
}
