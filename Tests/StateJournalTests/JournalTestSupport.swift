import Foundation
import Locking
@testable import StateJournal

/// A fresh directory under the system temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "statejournal-" + UUID().uuidString
        // 0700 whatever the umask: the journal refuses a directory others may write.
        try FileManager.default.createDirectory(
            atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    func bytes(of name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: file(name))))
    }

    func write(_ bytes: [UInt8], to name: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: file(name)))
    }

    func names() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path).sorted()
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Collects the journal's warnings.
final class WarningSink: Sendable {
    private let lines = Locked<[String]>([])

    var messages: [String] { lines.withLock { $0 } }

    var sink: @Sendable (String) -> Void {
        { [self] line in lines.withLock { $0.append(line) } }
    }
}

extension JournalRecord {
    static func make(_ text: String, kind: UInt8 = 1) -> JournalRecord {
        JournalRecord(kind: kind, payload: Array(text.utf8))
    }

    var text: String { String(decoding: payload, as: UTF8.self) }
}

/// Opens the journal in `directory`, returning it with the records replayed and the warnings given.
func openJournal(
    _ directory: TemporaryDirectory, options: JournalOptions = JournalOptions()
) throws -> (journal: StateJournal, replayed: [JournalRecord], warnings: [String]) {
    let warnings = WarningSink()
    var replayed: [JournalRecord] = []
    let journal = try StateJournal(directory: directory.path, options: options, warn: warnings.sink) {
        replayed.append($0)
    }
    return (journal, replayed, warnings.messages)
}

/// What a fresh open of `directory` replays, closing the journal again.
func replay(_ directory: TemporaryDirectory, options: JournalOptions = JournalOptions()) async throws
    -> (records: [JournalRecord], warnings: [String])
{
    let (journal, replayed, warnings) = try openJournal(directory, options: options)
    await journal.close()
    return (replayed, warnings)
}

/// The frame bytes of `records`, as a segment holds them.
func frames(_ records: [JournalRecord]) -> [UInt8] {
    var bytes: [UInt8] = []
    for record in records { RecordFrame.encode(kind: record.kind, payload: record.payload, into: &bytes) }
    return bytes
}

/// A number shared between tasks.
final class SharedCount: Sendable {
    private let value = Locked(0)

    var current: Int { value.withLock { $0 } }

    func set(_ new: Int) { value.withLock { $0 = new } }
}
