import Logging

/// Installs the process-wide log handler once, at start, from the configured format and level.
public enum LoggingSetup {
    /// `LoggingSystem.bootstrap` may run only once per process; the CLI calls this right after loading configuration.
    public static func bootstrap(format: LogFormat, level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            makeHandler(label: label, format: format, level: level)
        }
    }

    /// The handler `bootstrap` installs, exposed for tests and for tools that log without bootstrapping.
    public static func makeHandler(label: String, format: LogFormat, level: Logger.Level) -> any LogHandler {
        var handler: any LogHandler
        switch format {
        case .text: handler = TextLogHandler(label: label)
        case .json: handler = JSONLogHandler(label: label)
        }
        handler.logLevel = level
        return handler
    }
}
