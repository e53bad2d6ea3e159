import Foundation

/// Reads a `GET /v1/events` stream frame by frame over a raw connection (chunked HTTP/1.1).
final class SSEClient: @unchecked Sendable {
    struct Frame: Equatable {
        var id: String?
        var event: String?
        var data: String?
        var comment: String?
        var retry: String?
    }

    let head: TestResponse
    private let connection: RawHTTPConnection
    private var pending = ""

    private init(connection: RawHTTPConnection, head: TestResponse) {
        self.connection = connection
        self.head = head
    }

    static func connect(port: Int, lastEventId: String? = nil, headers: [(String, String)] = []) async throws -> SSEClient {
        try await onOwnThread {
            let connection = try RawHTTPConnection(port: port)
            var request = "GET /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
            if let lastEventId { request += "Last-Event-ID: \(lastEventId)\r\n" }
            for (name, value) in headers { request += "\(name): \(value)\r\n" }
            try connection.send(Array((request + "\r\n").utf8))
            return SSEClient(connection: connection, head: try connection.readHead())
        }
    }

    /// The next frame (blank-line terminated); nil when the stream ended.
    func next() async throws -> Frame? {
        try await onOwnThread { try self.nextBlocking() }
    }

    /// The next frame that is an event (skipping comments and `retry:`).
    func nextEvent() async throws -> Frame? {
        while let frame = try await next() {
            if frame.event != nil { return frame }
        }
        return nil
    }

    private func nextBlocking() throws -> Frame? {
        while true {
            if let end = pending.range(of: "\n\n") {
                let block = pending[..<end.lowerBound]
                pending = String(pending[end.upperBound...])
                return Self.parse(block)
            }
            let chunk: [UInt8]
            do {
                chunk = try connection.readChunk()
            } catch let failure as RawHTTPConnection.Failure where failure.closed {
                return nil
            }
            if chunk.isEmpty { return nil }
            pending += String(decoding: chunk, as: UTF8.self)
        }
    }

    private static func parse(_ block: Substring) -> Frame {
        var frame = Frame()
        for line in block.split(separator: "\n") {
            if line.hasPrefix(":") { frame.comment = line.dropFirst().trimmingCharacters(in: .whitespaces); continue }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = line[line.index(after: colon)...].drop { $0 == " " }
            switch line[..<colon] {
            case "id": frame.id = String(value)
            case "event": frame.event = String(value)
            case "data": frame.data = String(value)
            case "retry": frame.retry = String(value)
            default: break
            }
        }
        return frame
    }
}

extension SSEClient.Frame {
    /// `data:` as a JSON object.
    var json: [String: Any] {
        (data.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) }) as? [String: Any] ?? [:]
    }
}
