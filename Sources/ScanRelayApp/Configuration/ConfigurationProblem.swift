/// One thing wrong with a configuration, printed `FILE:LINE: key.path: what is wrong and what would be valid`.
public struct ConfigurationProblem: Sendable, Equatable, CustomStringConvertible {
    /// Where the offending value came from.
    public enum Origin: Sendable, Equatable, CustomStringConvertible {
        /// A line of the configuration file (or the file as a whole when `line` is nil).
        case file(String, line: Int?)
        /// A `SCANRELAY_*` environment variable.
        case environment(String)
        /// A command-line option such as `--listen`.
        case option(String)

        public var description: String {
            switch self {
            case .file(let path, let line?): "\(path):\(line)"
            case .file(let path, nil): path
            case .environment(let name): name
            case .option(let name): name
            }
        }

        /// Problems are reported in file order, then those from the environment and options.
        var sortKey: Int {
            switch self {
            case .file(_, let line): line ?? 0
            case .environment, .option: Int.max
            }
        }
    }

    public var origin: Origin
    /// The key path, `sources[1].webhook.secret`; empty for a problem with the file as a whole.
    public var path: String
    /// What is wrong and what would be valid. Never contains a secret value.
    public var message: String

    public init(origin: Origin, path: String, message: String) {
        self.origin = origin
        self.path = path
        self.message = message
    }

    public var description: String {
        path.isEmpty ? "\(origin): \(message)" : "\(origin): \(path): \(message)"
    }
}

/// A configuration that cannot be used, with every problem found, in file order.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var problems: [ConfigurationProblem]

    public init(problems: [ConfigurationProblem]) {
        self.problems = problems
    }

    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}
