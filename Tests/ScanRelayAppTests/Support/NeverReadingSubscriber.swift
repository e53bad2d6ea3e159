import Glibc
import LoopbackSockets

/// A `GET /v1/events` client that shrinks its receive buffer and never reads: the subscriber of issue 14's flood.
final class NeverReadingSubscriber: @unchecked Sendable {  // touched by one task at a time
    private let fd: Int32

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    init(port: Int, receiveBuffer: Int32 = 4096, extraHeaders: String = "") throws {
        // `fd` is set only once connected: see `LoopbackSocket.connect` on why a failed socket must not reach `deinit`.
        do {
            fd = try LoopbackSocket.connect(port: port, receiveBuffer: receiveBuffer)
        } catch {
            throw Failure(description: "connect to port \(port) failed (errno \(error.errno))")
        }
        let request = Array("GET /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\(extraHeaders)\r\n".utf8)
        let sent = request.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == request.count else { throw Failure(description: "the request did not go out whole") }
    }

    deinit { close(fd) }

    /// Reads, at last, whatever the server sent; true when it then closed the connection (EOF or reset), false when
    /// it is still open `timeout` after the last byte.
    func wasClosedByServer(timeout: Duration = .seconds(5)) -> Bool {
        LoopbackSocket.setReceiveTimeout(fd, timeout)
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        for _ in 0..<100_000 {
            let count = recv(fd, &chunk, chunk.count, 0)
            if count > 0 { continue }
            return count == 0 || errno == ECONNRESET
        }
        return false
    }
}

/// `/proc/PID/status`'s VmRSS, in KiB.
func residentKiB(of pid: Int32) throws -> Int {
    guard let file = fopen("/proc/\(pid)/status", "r") else { throw NeverReadingSubscriber.Failure(description: "no /proc/\(pid)") }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, Int32(line.count), file) != nil {
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // "VmRSS:\t   40128 kB"
        let fields = text.split { $0 == " " || $0 == "\t" || $0 == "\n" }
        if fields.count >= 2, fields[0] == "VmRSS:", let kib = Int(fields[1]) { return kib }
    }
    throw NeverReadingSubscriber.Failure(description: "no VmRSS in /proc/\(pid)/status")
}
