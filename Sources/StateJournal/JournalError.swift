#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the journal refused or failed an operation. Any of these means the change is not durable: answer 503.
public enum JournalError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A system call failed; `operation` names it, `path` the file.
    case io(operation: String, path: String, errno: Int32)
    /// A record's payload exceeds `JournalOptions.maxRecordBytes`.
    case recordTooLarge(bytes: Int, limit: Int)
    /// Kind 0 belongs to the journal itself.
    case reservedKind
    /// Another process (or another journal in this one) holds the state directory.
    case directoryInUse(path: String)
    /// A write or sync failed (a full disk, a failing device): the batch it carried is not durable, and every append
    /// is refused until the journal has cut the segment back to its last synced frame and proved it can write again
    /// (see `JournalHealth`).
    case failed(underlying: String)
    /// A file in the state directory is a link, a FIFO or anything but the regular file the journal wrote.
    case notARegularFile(path: String, found: String)
    /// The state directory itself is unsafe to use: `problem` says what is wrong, `fix` how to put it right.
    case unsafeDirectory(path: String, problem: String, fix: String)
    /// The journal was closed.
    case closed

    public var description: String {
        switch self {
        case .io(let operation, let path, let code):
            return "\(operation) \(path): \(String(cString: strerror(code)))"
        case .recordTooLarge(let bytes, let limit):
            return "journal record of \(bytes) bytes exceeds the limit of \(limit) bytes"
        case .reservedKind:
            return "journal record kind 0 is reserved"
        case .directoryInUse(let path):
            return "state directory \(path) is in use by another process"
        case .failed(let underlying):
            return "journal unavailable after a failed write (\(underlying)); it retries until writes succeed"
        case .notARegularFile(let path, let found):
            return "\(path) is \(found), not a regular file the journal wrote: refusing to open it; "
                + "remove it (the state directory holds only the service's own files) and start again"
        case .unsafeDirectory(let path, let problem, let fix):
            return "state directory \(path) \(problem): refusing to use it; \(fix)"
        case .closed:
            return "journal is closed"
        }
    }
}

extension JournalError {
    /// Whether the error is a full disk or quota, which freeing space cures without a restart.
    var isOutOfSpace: Bool {
        if case .io(_, _, let code) = self { return code == ENOSPC || code == EDQUOT }
        return false
    }
}

/// Whether the journal can record changes now: `/readyz` and `/healthz` report it.
public enum JournalHealth: Sendable, Equatable, CustomStringConvertible {
    case healthy
    /// A write or sync failed and appends are refused; the writer retries and recovers once writes succeed again
    /// (a full disk with space freed). A restart would not help.
    case recovering(reason: String)
    /// The last recovery attempt failed with something other than a full disk (a read-only remount, a failing
    /// device): the writer keeps trying, but a restart is the likelier cure.
    case failed(reason: String)

    public var description: String {
        switch self {
        case .healthy: "healthy"
        case .recovering(let reason): "cannot record, retrying: \(reason)"
        case .failed(let reason): "cannot record: \(reason)"
        }
    }
}
