import Foundation
import LoopbackSockets
#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP/1.1 client over a plain socket, so tests control every byte (exact headers, streamed SSE reads).
///
/// Socket calls block, so each runs on a thread of its own, never on the concurrency pool the server's handlers
/// need (on a two-core machine two blocked pool threads would stall the server under test).
final class RawHTTPConnection: @unchecked Sendable {
    private let fd: Int32
    private var buffer: [UInt8] = []

    struct Failure: Error, CustomStringConvertible {
        let description: String
        /// The peer closed the connection cleanly.
        var closed = false
    }

    /// Connects to 127.0.0.1:`port`; every read gives up after `timeout`.
    init(port: Int, timeout: Duration = .seconds(20)) throws {
        // `fd` is set only once connected: see `LoopbackSocket.connect` on why a failed socket must not reach `deinit`.
        do {
            fd = try LoopbackSocket.connect(port: port)
        } catch {
            throw Failure(description: "connect to port \(port) failed (errno \(error.errno))")
        }
        LoopbackSocket.setReceiveTimeout(fd, timeout)
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw Failure(description: "send failed") }
            offset += sent
        }
    }

    /// Reads more bytes into the buffer; false at end of stream.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count < 0 { throw Failure(description: "read timed out or failed (errno \(errno))") }
        if count == 0 { return false }
        buffer += chunk[..<count]
        return true
    }

    /// Reads until `marker` has arrived; returns everything up to and including it.
    func read(through marker: [UInt8]) throws -> [UInt8] {
        while true {
            if let range = buffer.firstRange(of: marker) {
                let result = Array(buffer[..<range.upperBound])
                buffer.removeFirst(range.upperBound)
                return result
            }
            guard try fill() else {
                throw Failure(description: "connection closed before \(String(decoding: marker, as: UTF8.self).debugDescription)", closed: true)
            }
        }
    }

    func read(count: Int) throws -> [UInt8] {
        while buffer.count < count {
            guard try fill() else { throw Failure(description: "connection closed early") }
        }
        defer { buffer.removeFirst(count) }
        return Array(buffer[..<count])
    }

    /// Reads what remains until the peer closes.
    func readToEnd() throws -> [UInt8] {
        while try fill() {}
        defer { buffer = [] }
        return buffer
    }

    /// Reads one response head (status line and fields).
    func readHead() throws -> TestResponse {
        let head = String(decoding: try read(through: Array("\r\n\r\n".utf8)), as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw Failure(description: "bad status line") }
        let headers = lines.map { line -> (String, String) in
            let colon = line.firstIndex(of: ":")!
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return TestResponse(status: status, headers: headers, body: [])
    }

    /// Reads one whole response: `Content-Length`, chunked, or until close.
    func readResponse(method: String = "GET") throws -> TestResponse {
        var response = try readHead()
        if method == "HEAD" || response.status == 304 || response.status == 204 { return response }
        if let length = response.header("Content-Length").flatMap(Int.init) {
            response.body = try read(count: length)
        } else if response.header("Transfer-Encoding")?.lowercased() == "chunked" {
            response.body = try readChunkedBody()
        } else {
            response.body = try readToEnd()
        }
        return response
    }

    /// The next chunk of a chunked body; empty at the last chunk.
    func readChunk() throws -> [UInt8] {
        let sizeLine = String(decoding: try read(through: Array("\r\n".utf8)).dropLast(2), as: UTF8.self)
        guard let size = Int(sizeLine.split(separator: ";")[0], radix: 16) else { throw Failure(description: "bad chunk size") }
        if size == 0 {
            _ = try read(through: Array("\r\n".utf8))
            return []
        }
        let data = try read(count: size)
        _ = try read(count: 2)
        return data
    }

    private func readChunkedBody() throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let chunk = try readChunk()
            if chunk.isEmpty { return body }
            body += chunk
        }
    }
}

/// A response as tests look at it.
struct TestResponse: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body as a JSON object; an empty dictionary when it is not one.
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
    }
}

/// Runs blocking work on a thread of its own.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.start()
    }
}

/// One request on a fresh connection (`Connection: close`).
func httpRequest(
    port: Int, _ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8] = []
) async throws -> TestResponse {
    try await onOwnThread {
        let connection = try RawHTTPConnection(port: port)
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        try connection.send(Array(head.utf8) + body)
        return try connection.readResponse(method: method)
    }
}
