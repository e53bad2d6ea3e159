#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file descriptor with the few operations the journal needs, each turning errno into `JournalError.io`.
/// Not thread-safe by itself: one owner at a time (the writer thread, or start-up before it runs).
struct JournalFile: Sendable {
    let descriptor: Int32
    let path: String

    /// Opens a file of the state directory without following a link in its last component (a link planted there
    /// would have the service truncate and overwrite whatever it points to) and without handing the descriptor to
    /// children. `O_NONBLOCK` keeps a planted FIFO from blocking the open; it changes nothing for regular files.
    /// Anything but a regular file (or the directory itself, with `O_DIRECTORY`) is refused.
    static func open(_ path: String, flags: Int32, mode: mode_t = 0o600) throws(JournalError) -> JournalFile {
        let fd = retryingInterrupts { systemOpen(path, flags | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, mode) }
        guard fd >= 0 else {
            let code = errno
            if code == ELOOP { throw .notARegularFile(path: path, found: "a symbolic link") }
            throw .io(operation: "open", path: path, errno: code)
        }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            let code = errno
            systemClose(fd)
            throw .io(operation: "fstat", path: path, errno: code)
        }
        let expected = flags & O_DIRECTORY != 0 ? S_IFDIR : S_IFREG
        guard status.st_mode & S_IFMT == expected else {
            systemClose(fd)
            throw .notARegularFile(path: path, found: FileKind.describe(status.st_mode))
        }
        return JournalFile(descriptor: fd, path: path)
    }

    /// Writes every byte, continuing after short writes.
    func writeAll(_ bytes: UnsafeRawBufferPointer) throws(JournalError) {
        var offset = 0
        while offset < bytes.count {
            let written = retryingInterrupts {
                write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            }
            guard written > 0 else { throw .io(operation: "write", path: path, errno: written < 0 ? errno : EIO) }
            offset += written
        }
    }

    func writeAll(_ bytes: [UInt8]) throws(JournalError) {
        // withUnsafeBytes only rethrows untyped errors, so the typed one is carried out by hand.
        let failure: JournalError? = bytes.withUnsafeBytes { buffer in
            do throws(JournalError) { try writeAll(buffer) } catch { return error }
            return nil
        }
        if let failure { throw failure }
    }

    /// Makes written data durable; the size is included where it changed, other metadata is not waited for.
    func syncData() throws(JournalError) {
        #if os(Linux)
        let status = retryingInterrupts { fdatasync(descriptor) }
        #else
        let status = retryingInterrupts { fsync(descriptor) }
        #endif
        guard status == 0 else { throw .io(operation: "fdatasync", path: path, errno: errno) }
    }

    /// Makes data and metadata durable (for directories: the entries created, renamed or removed in them).
    func sync() throws(JournalError) {
        guard retryingInterrupts({ fsync(descriptor) }) == 0 else {
            throw .io(operation: "fsync", path: path, errno: errno)
        }
    }

    func truncate(to length: Int) throws(JournalError) {
        guard retryingInterrupts({ ftruncate(descriptor, off_t(length)) }) == 0 else {
            throw .io(operation: "ftruncate", path: path, errno: errno)
        }
    }

    func seekToEnd() throws(JournalError) -> Int {
        let end = lseek(descriptor, 0, SEEK_END)
        guard end >= 0 else { throw .io(operation: "lseek", path: path, errno: errno) }
        return Int(end)
    }

    /// The whole file, read from its start.
    func readAll() throws(JournalError) -> [UInt8] {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .io(operation: "fstat", path: path, errno: errno) }
        var bytes = [UInt8](repeating: 0, count: Int(status.st_size))
        var offset = 0
        let failure: Int32? = bytes.withUnsafeMutableBytes { buffer in
            while offset < buffer.count {
                let count = retryingInterrupts {
                    pread(descriptor, buffer.baseAddress! + offset, buffer.count - offset, off_t(offset))
                }
                if count < 0 { return errno }
                if count == 0 { break }
                offset += count
            }
            return nil
        }
        if let failure { throw .io(operation: "read", path: path, errno: failure) }
        return Array(bytes[0..<offset])
    }

    func close() {
        systemClose(descriptor)
    }

    /// Flushes a directory's entries (a created, renamed or removed file) to disk.
    static func syncDirectory(_ path: String) throws(JournalError) {
        let directory = try open(path, flags: O_RDONLY | O_DIRECTORY)
        defer { directory.close() }
        try directory.sync()
    }
}

private func systemOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 {
    open(path, flags, mode)
}

private func systemClose(_ descriptor: Int32) {
    _ = close(descriptor)
}

private func retryingInterrupts<T: BinaryInteger>(_ call: () -> T) -> T {
    while true {
        let result = call()
        if result >= 0 || errno != EINTR { return result }
    }
}

/// Names a file type for an error message.
enum FileKind {
    static func describe(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFREG: "a regular file"
        case S_IFDIR: "a directory"
        case S_IFLNK: "a symbolic link"
        case S_IFIFO: "a FIFO"
        case S_IFSOCK: "a socket"
        case S_IFCHR, S_IFBLK: "a device"
        default: "a special file"
        }
    }
}
