import Glibc
import LoopbackSockets

/// A blocking TCP client for writing exact bytes and reading exact answers; every read gives up after `timeout`.
final class RawClient {
    struct Response {
        var status: Int
        var headers: [(String, String)]
        var body: [UInt8]

        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    enum Failure: Error, Equatable { case connect(Int32), closed, timedOut, malformed(String) }

    let fd: Int32
    private var buffered: [UInt8] = []

    /// `receiveBuffer` shrinks the kernel's buffer (set before connecting) so a client that does not read pushes
    /// back on the server quickly.
    init(port: Int, timeout: Duration = .seconds(10), receiveBuffer: Int32? = nil) throws {
        // `fd` is set only once connected: see `LoopbackSocket.connect` on why a failed socket must not reach `deinit`.
        do {
            fd = try LoopbackSocket.connect(port: port, receiveBuffer: receiveBuffer)
        } catch {
            throw Failure.connect(error.errno)
        }
        LoopbackSocket.setReceiveTimeout(fd, timeout)
    }

    deinit { close(fd) }

    func send(_ text: String) { send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { return }
            offset += count
        }
    }

    func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    /// Reads one response, delimited by Content-Length, chunked coding, or (with neither) the connection's end.
    func readResponse(expectBody: Bool = true) throws -> Response {
        let headEnd = try readUntil([13, 10, 13, 10])
        let head = String(decoding: headEnd, as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw Failure.malformed(head) }
        let headers = lines.map { line -> (String, String) in
            let colon = line.firstIndex(of: ":")!
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var response = Response(status: status, headers: headers, body: [])
        guard expectBody, status >= 200, status != 204, status != 304 else { return response }
        if let length = response.header("Content-Length").flatMap(Int.init) {
            response.body = try readExactly(length)
        } else if response.header("Transfer-Encoding") == "chunked" {
            while true {
                let sizeLine = String(decoding: try readUntil([13, 10]), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                guard let size = Int(sizeLine, radix: 16) else { throw Failure.malformed(sizeLine) }
                let data = try readExactly(size + 2)
                if size == 0 { break }
                response.body += data.dropLast(2)
            }
        } else {
            response.body = try readToEnd()
        }
        return response
    }

    /// True when the server closed the connection (EOF or reset) before `timeout` and sent nothing more.
    func isClosedByPeer() -> Bool {
        guard buffered.isEmpty else { return false }
        var byte: UInt8 = 0
        let count = recv(fd, &byte, 1, 0)
        if count == 0 { return true }
        if count < 0 { return errno == ECONNRESET }
        buffered.append(byte)
        return false
    }

    func readToEnd() throws -> [UInt8] {
        while try fill() {}
        defer { buffered = [] }
        return buffered
    }

    private func readExactly(_ count: Int) throws -> [UInt8] {
        while buffered.count < count {
            guard try fill() else { throw Failure.closed }
        }
        defer { buffered.removeFirst(count) }
        return Array(buffered[..<count])
    }

    private func readUntil(_ terminator: [UInt8]) throws -> [UInt8] {
        while true {
            if let range = firstRange(of: terminator) {
                defer { buffered.removeFirst(range.upperBound) }
                return Array(buffered[..<range.upperBound])
            }
            guard try fill() else { throw Failure.closed }
        }
    }

    private func firstRange(of pattern: [UInt8]) -> Range<Int>? {
        guard buffered.count >= pattern.count else { return nil }
        for start in 0...(buffered.count - pattern.count) where buffered[start..<(start + pattern.count)].elementsEqual(pattern) {
            return start..<(start + pattern.count)
        }
        return nil
    }

    /// False at the end of the stream.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        let count = recv(fd, &chunk, chunk.count, 0)
        if count > 0 {
            buffered.append(contentsOf: chunk[..<count])
            return true
        }
        if count == 0 || errno == ECONNRESET { return false }
        if errno == EAGAIN || errno == EWOULDBLOCK { throw Failure.timedOut }
        throw Failure.closed
    }
}
