import Foundation
import Testing

/// `scanrelay check-config`, `--help`, `--version` and usage errors, run as the built binary.
@Suite struct CLICheckConfigTests {
    @Test func aValidFileIsOKWithExitZero() async throws {
        let directory = try ConfigurationFixtures.TemporaryDirectory()
        let file = try directory.write("good.yaml", "listen: 127.0.0.1:9000\nsources:\n  - { name: r, provider: scanrelay, webhook: { verify: none } }\n")
        let result = try await CLIProcess.run(["check-config", file])
        #expect(result.status == 0)
        #expect(result.stdout == "\(file): OK\n")
    }

    @Test func everyProblemIsPrintedOnItsOwnLineWithExitOne() async throws {
        let directory = try ConfigurationFixtures.TemporaryDirectory()
        let file = try directory.write("bad.yaml", "listne: 127.0.0.1:9000\nlimits:\n  idleTimeout: 10\n")
        let result = try await CLIProcess.run(["check-config", file])
        #expect(result.status == 1)
        #expect(result.stdout == """
            \(file):1: listne: unknown key; did you mean "listen"?
            \(file):3: limits.idleTimeout: "10" is not a duration; write an integer with a unit ms, s, m, h or d, such as 250ms, 30s, 5m, 24h

            """)
    }

    @Test func environmentReferencesAreResolvedAsServeWould() async throws {
        let directory = try ConfigurationFixtures.TemporaryDirectory()
        let file = try directory.write("env.yaml", "api:\n  tokens:\n    - { token: \"${CLI_TEST_TOKEN}\", scopes: [read] }\n")
        let missing = try await CLIProcess.run(["check-config", file])
        #expect(missing.status == 1)
        #expect(missing.stdout.contains(":3: api.tokens[0].token: environment variable $CLI_TEST_TOKEN is not set"))
        let present = try await CLIProcess.run(["check-config", file], environment: ["CLI_TEST_TOKEN": "t"])
        #expect(present.status == 0)
    }

    @Test func theAnnotatedExampleIsAccepted() async throws {
        let result = try await CLIProcess.run(
            ["check-config", ConfigurationExampleTests.exampleFile], environment: ConfigurationExampleTests.environment)
        #expect(result.status == 0, "\(result.stdout)")
    }

    @Test func aMissingFileIsReportedWithExitOne() async throws {
        let result = try await CLIProcess.run(["check-config", "/nonexistent/scanrelay.yaml"])
        #expect(result.status == 1)
        #expect(result.stdout == "/nonexistent/scanrelay.yaml: cannot read the configuration file (no such file)\n")
    }

    @Test(arguments: [["check-config"], ["wait", "--server", "http://127.0.0.1:1"], ["--no-such-option"], ["frobnicate", "x"],
                      ["wait", "--server", "http://127.0.0.1:1", "--scan", "a", "--image", "b"],
                      ["wait", "--server", "http://127.0.0.1:1", "--scan", "a", "--timeout", "soon"],
                      ["wait", "--server", "http://127.0.0.1:1", "--scan", "a", "--fail-on", "severe"]])
    func usageErrorsExitWithThreeNotSixtyFour(arguments: [String]) async throws {
        let result = try await CLIProcess.run(arguments)
        #expect(result.status == 3)
        #expect(result.stderr.contains("Error:") || result.stderr.contains("Usage:"))
    }

    @Test func versionAndHelpExitZero() async throws {
        let version = try await CLIProcess.run(["--version"])
        #expect(version.status == 0 && version.stdout == "0.1.0\n")
        let help = try await CLIProcess.run(["--help"])
        #expect(help.status == 0)
        for command in ["serve", "check-config", "wait", "demo"] { #expect(help.stdout.contains(command)) }
        #expect(!help.stdout.contains("healthcheck"))
        let waitHelp = try await CLIProcess.run(["wait", "--help"])
        #expect(waitHelp.status == 0 && waitHelp.stdout.contains("--fail-on <severity>"))
    }

    @Test func serveRefusesAnUnusableConfigurationSayingWhy() async throws {
        let result = try await CLIProcess.run(["serve", "--listen", "0.0.0.0:0"])
        #expect(result.status == 78)
        #expect(result.stderr.contains("--listen: listen: the API has no tokens"))
    }
}
