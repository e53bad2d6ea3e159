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
    /// An earlier `fdatasync` failed; the kernel may have dropped the unsynced pages, so nothing written since can be
    /// trusted and every append fails until the process restarts and replays what did reach the disk.
    case failed(underlying: String)
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
            return "journal unavailable after a failed sync (\(underlying)); restart to recover"
        case .closed:
            return "journal is closed"
        }
    }
}
