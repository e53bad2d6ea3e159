import Foundation
import Logging
import Yams

/// Builds an `AppConfiguration` from a YAML or JSON file, `SCANRELAY_*` variables and command-line overrides,
/// in that order of precedence (later wins), and validates the result as a whole.
///
/// Every problem is collected and thrown at once as a `ConfigurationError`; `check-config` prints it, `serve`
/// refuses to start with it.
public struct ConfigurationLoader: Sendable {
    public var environment: [String: String]
    /// How `...File` secrets are read; only the fuzzer replaces the disk.
    var readSecretFile: SecretFileReader = ConfigurationReader.readFromDisk

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// The file given with `--config`, else `SCANRELAY_CONFIG`, else none (all defaults).
    public func configurationFile(option: String?) -> String? {
        option ?? environment["SCANRELAY_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Reads and validates `file` (or only the environment when `nil`); `listen` is the `--listen` option.
    public func load(file: String?, listen: String? = nil) throws(ConfigurationError) -> AppConfiguration {
        guard let file else { return try load(yaml: "", file: "(no file)", listen: listen) }
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            let problem = ConfigurationProblem(
                origin: .file(file, line: nil), path: "",
                message: "cannot read the configuration file (\(ConfigurationReader.whyUnreadable(file)))"
            )
            throw ConfigurationError(problems: [problem])
        }
        return try load(yaml: text, file: file, listen: listen)
    }

    /// Validates configuration text; `file` is the name problems are reported under.
    public func load(yaml: String, file: String, listen: String? = nil) throws(ConfigurationError) -> AppConfiguration {
        let reader = ConfigurationReader(file: file, environment: environment, readSecretFile: readSecretFile)
        var configuration = AppConfiguration()
        var listenOrigin = ConfigurationProblem.Origin.file(file, line: nil)

        if let root = compose(yaml, reader: reader), let top = reader.mapping(root, path: "") {
            if let address = readListen(top, into: &configuration) { listenOrigin = .file(file, line: address) }
            readTopLevel(top, into: &configuration)
            top.finish()
        }
        let overrides = EnvironmentOverrides(environment: environment)
        overrides.apply(to: &configuration, origin: &listenOrigin, reader: reader)
        if let listen {
            if let address = ListenAddress(parsing: listen) {
                configuration.listen = address
                listenOrigin = .option("--listen")
            } else {
                reader.report(ConfigurationProblem(
                    origin: .option("--listen"), path: "listen",
                    message: "\"\(listen)\" is not HOST:PORT; write e.g. 127.0.0.1:8080 or [::1]:8080"
                ))
            }
        }
        checkExposure(configuration, origin: listenOrigin, reader: reader)

        let problems = reader.problems.enumerated()
            .sorted { ($0.element.origin.sortKey, $0.offset) < ($1.element.origin.sortKey, $1.offset) }
            .map(\.element)
        guard problems.isEmpty else { throw ConfigurationError(problems: problems) }
        return configuration
    }

    private func compose(_ yaml: String, reader: ConfigurationReader) -> Node? {
        do {
            // An empty file is a valid configuration of defaults. The basic resolver tags every scalar `str`: the
            // reader parses scalars itself and never reads tags, and the default resolver compiles seven
            // `NSRegularExpression`s, which pulls ICU's property tables into memory (a few MiB of idle RSS).
            return try Yams.compose(yaml: yaml, .basic) ?? Node([(Node, Node)]())
        } catch let error as YamlError {
            let (line, message) = Self.describe(error)
            reader.report("not valid YAML: \(message)", at: "", line: line)
        } catch {
            reader.report("not valid YAML: \(error)", at: "", line: nil)
        }
        return nil
    }

    private static func describe(_ error: YamlError) -> (line: Int?, message: String) {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            return (mark.line, [context?.text, problem].compactMap { $0 }.joined(separator: ": "))
        case .duplicatedKeysInMapping(let duplicates, let context):
            return (context.mark.line, "duplicate key \(duplicates.joined(separator: ", ")); each key may appear once")
        default:
            return (nil, "\(error)")
        }
    }

    /// Returns the line of `listen` when the file sets it.
    private func readListen(_ top: ConfigMapping, into configuration: inout AppConfiguration) -> Int? {
        guard let node = top.value("listen"), let text = top.reader.text(node, path: "listen") else { return nil }
        guard let address = ListenAddress(parsing: text) else {
            top.report("\"\(top.shown(text, of: "listen"))\" is not HOST:PORT; write e.g. 127.0.0.1:8080, 0.0.0.0:8080 or [::1]:8080", key: "listen")
            return nil
        }
        configuration.listen = address
        return node.mark?.line
    }

    private func readTopLevel(_ top: ConfigMapping, into configuration: inout AppConfiguration) {
        if let api = top.mapping("api") { configuration.api = readAPI(api) }
        if let limits = top.mapping("limits") { configuration.limits = readLimits(limits) }
        if let cache = top.mapping("cache") { configuration.cache = readCache(cache) }
        if let state = top.mapping("state") { configuration.state = readState(state) }
        if let poll = top.mapping("poll") { configuration.poll = readPoll(poll) }
        if let sources = top.sequence("sources") { configuration.sources = readSources(sources, reader: top.reader) }
        if let level = top.choice("logLevel", of: Logger.Level.self) { configuration.logLevel = level }
        if let format = top.choice("logFormat", of: LogFormat.self) { configuration.logFormat = format }
    }

    /// An open API on a non-loopback address is refused unless anonymous access is chosen explicitly.
    private func checkExposure(_ configuration: AppConfiguration, origin: ConfigurationProblem.Origin, reader: ConfigurationReader) {
        guard configuration.api.isOpen, !configuration.listen.isLoopback, !configuration.api.allowAnonymous else { return }
        reader.report(ConfigurationProblem(
            origin: origin, path: "listen",
            message: "the API has no tokens, so anyone who can reach \(configuration.listen) could read scans and start "
                + "watches; add api.tokens (or SCANRELAY_API_TOKENS), listen on a loopback address (127.0.0.1, ::1), "
                + "or set api.allowAnonymous: true (SCANRELAY_ALLOW_ANONYMOUS=true)"
        ))
    }
}
