import Foundation

/// The files of a state directory and their names.
///
///     LOCK              held with flock while a journal is open: one process per directory
///     journal-N         segment N: frames appended in order
///     snapshot-N        the full state as of the start of segment N (segments below N are obsolete)
///     snapshot-N.tmp    a snapshot being written; never read, removed at start-up
///     *.damaged-<time>  damage found at start (a segment's tail from its first bad frame, a whole snapshot), kept
///                       for whoever investigates; never read, never removed
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

    /// Refuses a state directory another user could tamper with: it must be a real directory (not a link to one),
    /// owned by the effective uid the service runs as, and writable by nobody else. Whoever can create entries in it
    /// could plant links or forge records, so the files' own `O_NOFOLLOW` is only the second line of defence.
    func verifySafe() throws(JournalError) {
        var status = stat()
        guard lstat(path, &status) == 0 else { throw .io(operation: "lstat", path: path, errno: errno) }
        let kind = status.st_mode & S_IFMT
        guard kind != S_IFLNK else {
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "its target"
            throw .unsafeDirectory(
                path: path, problem: "is a symbolic link",
                fix: "set state.dir to the directory itself (\(target)) instead of a link to it")
        }
        guard kind == S_IFDIR else {
            throw .unsafeDirectory(
                path: path, problem: "is \(FileKind.describe(status.st_mode)), not a directory",
                fix: "remove it or set state.dir to a directory")
        }
        let uid = geteuid()
        guard status.st_uid == uid else {
            throw .unsafeDirectory(
                path: path, problem: "is owned by uid \(status.st_uid), not by uid \(uid) the service runs as",
                fix: "run `chown \(uid) \(Self.shellQuoted(path))`, or run the service as its owner")
        }
        let permissions = status.st_mode & 0o7777
        guard permissions & 0o022 == 0 else {
            throw .unsafeDirectory(
                path: path,
                problem: "is writable by its group or by everyone (mode \(String(permissions, radix: 8)))",
                fix: "run `chmod 700 \(Self.shellQuoted(path))`")
        }
    }

    /// `path` as one shell word, for a command an operator may paste.
    static func shellQuoted(_ path: String) -> String {
        let plain = path.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || "0123456789/._-+".unicodeScalars.contains($0)) }
        return plain ? path : "'" + path.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
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

    /// A name not yet taken for the damaged part of `file`: `<file>.damaged-<UTC time>`, with `-2`, `-3`... when
    /// damage was set aside more than once within a second.
    func damagedPath(for file: String, now: time_t = time(nil)) throws(JournalError) -> String {
        var clock = now
        var parts = tm()
        gmtime_r(&clock, &parts)
        let stamp = String(
            format: "%04d%02d%02dT%02d%02d%02dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
        let base = "\(file).damaged-\(stamp)"
        for attempt in 1...1000 {
            let candidate = attempt == 1 ? base : "\(base)-\(attempt)"
            var status = stat()
            if lstat(candidate, &status) != 0 && errno == ENOENT { return candidate }
        }
        throw .io(operation: "name a copy of the damage", path: base, errno: EEXIST)
    }

    /// Removes a file; a file already gone is fine.
    func remove(_ file: String) throws(JournalError) {
        guard unlink(file) == 0 || errno == ENOENT else { throw .io(operation: "unlink", path: file, errno: errno) }
    }

    func sync() throws(JournalError) {
        try JournalFile.syncDirectory(path)
    }
}
