import Foundation
import Testing
@testable import ScanRelayApp

/// `examples/scanrelay.yaml` is documentation users copy: it must stay valid and cover every section.
@Suite struct ConfigurationExampleTests {
    static let exampleFile = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples/scanrelay.yaml").path

    /// The placeholders the file's header tells users to export.
    static let environment = [
        "SCANRELAY_READ_TOKEN": "r", "BINARLY_CLIENT_SECRET": "s", "BINARLY_HINT_SECRET": "s", "YC_IAM_TOKEN": "t",
        "OPSMX_TOKEN": "t", "OPSMX_WEBHOOK_SECRET": "s", "HARBOR_AUTH_HEADER": "h", "HARBOR_ROBOT_SECRET": "r",
        "YANDEX_WEBHOOK_SECRET": ConfigurationFixtures.webhookSecret,
    ]

    @Test func theExampleIsValidWithItsVariablesExported() throws {
        let configuration = try ConfigurationLoader(environment: Self.environment).load(file: Self.exampleFile)
        #expect(configuration.sources.map(\.provider.rawValue) == ["binarly", "yandex", "opsmx", "harbor"])
        #expect(configuration.api.tokens.count == 1)
        if case .oauth2(let oauth2) = configuration.sources[0].upstream?.auth {
            #expect(oauth2.audience == "https://binarly.example.com")
        } else {
            Issue.record("the binarly source should show OAuth2 client credentials")
        }
        #expect(configuration.sources[3].upstream?.auth == .basic(username: "robot$library+scanrelay", password: "r"),
                "a robot name keeps its $ (only ${ starts a variable)")
    }

    @Test func theExampleSpellsOutTheDefaults() throws {
        let example = try ConfigurationLoader(environment: Self.environment).load(file: Self.exampleFile)
        let defaults = AppConfiguration()
        #expect(example.listen == defaults.listen)
        #expect(example.limits == defaults.limits)
        #expect(example.cache == defaults.cache)
        #expect(example.poll == defaults.poll)
        #expect(example.logLevel == defaults.logLevel && example.logFormat == defaults.logFormat)
    }

    @Test func withoutTheVariablesEachReferenceIsNamed() {
        do {
            _ = try ConfigurationLoader(environment: [:]).load(file: Self.exampleFile)
            Issue.record("loading should fail without the variables")
        } catch {
            let unset = error.problems.map(\.message).filter { $0.hasPrefix("environment variable $") }
            #expect(unset.count == Self.environment.count)
        }
    }
}
