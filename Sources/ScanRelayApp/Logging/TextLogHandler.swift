import Logging

/// A swift-log handler writing one human-readable line per event:
/// `2026-11-23T18:40:05.123Z info scanrelay: method=GET path=/v1/scans status=200 request`.
///
/// swift-log's `StreamLogHandler` writes messages and metadata as they are, so a request path holding U+0085 or
/// U+2028 (HTTP/2 allows both in `:path`) started a forged line. Here every message, label, key and value goes
/// through `UntrustedText.escaped`, and the line is written with one `write(2)` like the JSON lines.
public struct TextLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let output: JSONLogHandler.Output

    public init(
        label: String, metadataProvider: Logger.MetadataProvider? = nil,
        output: @escaping JSONLogHandler.Output = JSONLogHandler.standardError
    ) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = LogMetadata.merged(metadata, provider: metadataProvider, event: event.metadata)
        var line = JSONLogHandler.timestamp() + " " + event.level.rawValue + " " + UntrustedText.escaped(label) + ":"
        for key in merged.keys.sorted() {
            line += " " + UntrustedText.escaped(key) + "=" + UntrustedText.escaped(Self.text(merged[key]!))
        }
        line += " " + UntrustedText.escaped("\(event.message)")
        if event.level >= .error { line += " (" + UntrustedText.escaped("\(event.file):\(event.line)") + ")" }
        output(line + "\n")
    }

    private static func text(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let string): string
        case .stringConvertible(let convertible): convertible.description
        case .array(let array): "[" + array.map(text).joined(separator: ", ") + "]"
        case .dictionary(let dictionary):
            "[" + dictionary.keys.sorted().map { "\($0): \(text(dictionary[$0]!))" }.joined(separator: ", ") + "]"
        }
    }
}
