/// The wire form of one Server-Sent Event (WHATWG HTML §9.2): `id:`, `event:` and one `data:` line per line of data,
/// ended by a blank line. Our data is single-line JSON, so it is one `data:` line.
enum ServerSentEvent {
    static func frame(id: UInt64, event: String, data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.count + event.utf8.count + 40)
        out += Array("id: \(id)\nevent: \(event)\ndata: ".utf8)
        // JSON text never holds a raw newline, but a stray one must not be able to end the event early.
        for byte in data where byte != UInt8(ascii: "\n") && byte != UInt8(ascii: "\r") { out.append(byte) }
        out += [UInt8(ascii: "\n"), UInt8(ascii: "\n")]
        return out
    }

    /// A comment line: ignored by clients, it keeps proxies from timing the stream out and detects gone peers.
    static let ping: [UInt8] = Array(": ping\n\n".utf8)

    /// Sent first: tells the client how long to wait before reconnecting.
    static func retry(milliseconds: Int) -> [UInt8] { Array("retry: \(milliseconds)\n\n".utf8) }
}
