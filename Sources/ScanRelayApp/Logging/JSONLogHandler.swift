import Foundation
import Logging

/// A swift-log handler writing one JSON object per line, for log collectors:
/// `{"timestamp":"2026-11-23T18:40:05.123Z","level":"info","label":"scanrelay","message":"request","request_id":"...",...}`.
///
/// Metadata is flattened into the top-level object so `jq .request_id` and collectors' field extraction work without
/// nesting; a metadata key that collides with one of the fixed fields is written as `metadata.<key>`.
public struct JSONLogHandler: LogHandler {
    /// Receives each complete line, newline included.
    public typealias Output = @Sendable (String) -> Void

    static let fixedFields: Set<String> = ["timestamp", "level", "label", "message", "source"]

    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let output: Output

    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil, output: @escaping Output = JSONLogHandler.standardError) {
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

        var line = JSONLineWriter()
        line.field("timestamp", string: Self.timestamp())
        line.field("level", string: event.level.rawValue)
        line.field("label", string: label)
        line.field("message", string: "\(event.message)")
        if event.level >= .error { line.field("source", string: "\(event.file):\(event.line)") }
        for key in merged.keys.sorted() {
            line.field(Self.fixedFields.contains(key) ? "metadata.\(key)" : key, value: merged[key]!)
        }
        output(line.finish())
    }

    /// RFC 3339 UTC with milliseconds, formatted by hand: `DateFormatter` is neither cheap nor obviously thread-safe.
    static func timestamp(_ date: Date = Date()) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(milliseconds / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(milliseconds % 1000), 3))Z"
    }

    /// Writes the whole line with one `write(2)`, so concurrent lines do not interleave.
    public static let standardError: Output = { line in
        var bytes = Array(line.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { write(STDERR_FILENO, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                return  // stderr is gone; nowhere left to report that
            }
            offset += written
        }
    }
}
