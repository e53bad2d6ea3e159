import Foundation

/// The files of a state directory and their names.
///
///     LOCK              held with flock while a journal is open: one process per directory
///     journal-N         segment N: frames appended in order
///     snapshot-N        the full state as of the start of segment N (segments below N are obsolete)
///     snapshot-N.tmp    a snapshot being written; never read, removed at start-up
struct JournalDirectory: Sendable {
    let path: String

    enum Entry: Equatable {
        case segment(UInt64)
        case snapshot(UInt64)
        case unfinishedSnapshot(String)
    }

    func segmentPath(_ index: UInt64) -> String { "\(path)/journal-\(index)" }
    func snapshotPath(_ index: UInt64) -> String { "\(path)/snapshot-\(index)" }
    func unfinishedSnapshotPath(_ index: UInt64) -> String { "\(path)/snapshot-\(index).tmp" }

    /// Creates the directory (and its parents) if missing.
    func create() throws(JournalError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            guard mkdir(prefix, 0o700) == 0 || errno == EEXIST else {
                throw .io(operation: "mkdir", path: prefix, errno: errno)
            }
        }
    }

    /// How long a lock held elsewhere is waited for before the directory counts as in use. A process that spawns
    /// children (or a test bundle running curl next to a journal) briefly shares every descriptor with a child between
    /// its fork and its exec, so a lock just released can still be held by that child for a moment.
    static let lockWait: Duration = .seconds(1)

    /// Takes the directory's lock, released by `close` on the returned file or by the process's death
    /// (so a `kill -9` never leaves a stale lock behind).
    func lock(waitingUpTo wait: Duration = lockWait) throws(JournalError) -> JournalFile {
        let lockFile = try JournalFile.open("\(path)/LOCK", flags: O_RDWR | O_CREAT)
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: wait)
        while flock(lockFile.descriptor, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            if code == EINTR { continue }
            if code == EWOULDBLOCK && clock.now < deadline {
                usleep(10_000)
                continue
            }
            lockFile.close()
            if code == EWOULDBLOCK { throw .directoryInUse(path: path) }
            throw .io(operation: "flock", path: lockFile.path, errno: code)
        }
        return lockFile
    }

    /// The journal's files, in no particular order; other files are left alone.
    func entries() throws(JournalError) -> [Entry] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw .io(operation: "readdir", path: path, errno: EIO)
        }
        return names.compactMap(Self.entry(named:))
    }

    static func entry(named name: String) -> Entry? {
        if name.hasPrefix("snapshot-"), name.hasSuffix(".tmp") { return .unfinishedSnapshot(name) }
        if let index = index(of: name, prefix: "journal-") { return .segment(index) }
        if let index = index(of: name, prefix: "snapshot-") { return .snapshot(index) }
        return nil
    }

    private static func index(of name: String, prefix: String) -> UInt64? {
        guard name.hasPrefix(prefix) else { return nil }
        let digits = name.dropFirst(prefix.count)
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
        return UInt64(digits)
    }

    /// Removes a file; a file already gone is fine.
    func remove(_ file: String) throws(JournalError) {
        guard unlink(file) == 0 || errno == ENOENT else { throw .io(operation: "unlink", path: file, errno: errno) }
    }

    func sync() throws(JournalError) {
        try JournalFile.syncDirectory(path)
    }
}
