import Testing
@testable import ScanRelayApp

@Suite struct ConfigurationInterpolationTests {
    let environment = ["TOKEN": "s3cret", "EMPTY": "", "A_1": "x"]

    @Test func aStringWithoutReferencesIsUnchanged() throws {
        #expect(try EnvironmentInterpolation.expand("plain $ text {}", environment: environment) == "plain $ text {}")
    }

    @Test func aReferenceIsReplacedByTheVariable() throws {
        #expect(try EnvironmentInterpolation.expand("${TOKEN}", environment: environment) == "s3cret")
    }

    @Test func referencesInsideALongerStringAreReplaced() throws {
        #expect(try EnvironmentInterpolation.expand("Bearer ${TOKEN}/${A_1}", environment: environment) == "Bearer s3cret/x")
    }

    @Test func aSetButEmptyVariableGivesAnEmptyString() throws {
        #expect(try EnvironmentInterpolation.expand("[${EMPTY}]", environment: environment) == "[]")
    }

    @Test func doubleDollarWritesALiteralReference() throws {
        #expect(try EnvironmentInterpolation.expand("$${TOKEN}", environment: environment) == "${TOKEN}")
    }

    @Test func everyUnsetVariableIsNamed() {
        #expect(throws: EnvironmentInterpolation.Failure.unset(variables: ["NOPE", "NADA"])) {
            try EnvironmentInterpolation.expand("${NOPE}:${TOKEN}:${NADA}", environment: environment)
        }
        let message = EnvironmentInterpolation.Failure.unset(variables: ["NOPE"]).description
        #expect(message == "environment variable $NOPE is not set; export it or write the value here")
    }

    @Test func anUnterminatedReferenceIsAnError() {
        #expect(throws: EnvironmentInterpolation.Failure.unterminated) {
            try EnvironmentInterpolation.expand("${TOKEN", environment: environment)
        }
    }

    @Test(arguments: ["", "1ABC", "A-B", "A B"])
    func aReferenceToSomethingThatIsNotAVariableNameIsAnError(name: String) {
        #expect(throws: EnvironmentInterpolation.Failure.invalidName(name)) {
            try EnvironmentInterpolation.expand("${\(name)}", environment: environment)
        }
    }
}
