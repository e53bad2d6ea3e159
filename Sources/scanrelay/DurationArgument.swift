import ArgumentParser
import ScanRelayApp

/// A command-line duration written like in the configuration: `30s`, `5m`, `1h`.
struct DurationArgument: ExpressibleByArgument, Sendable {
    var duration: Duration

    init(_ duration: Duration) {
        self.duration = duration
    }

    init?(argument: String) {
        guard let duration = DurationSyntax.parse(argument), duration > .zero else { return nil }
        self.duration = duration
    }

    var defaultValueDescription: String { DurationSyntax.format(duration) }

    var seconds: Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
