/// A `HOST:PORT` the server binds to. IPv6 hosts are written in brackets: `[::1]:8080`.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    /// 0 asks the kernel for a free port (tests); the bound port is logged as `listening on HOST:PORT`.
    public var port: Int

    public static let `default` = ListenAddress(host: "127.0.0.1", port: 8080)

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT` or `[IPV6]:PORT`; `nil` when the text is not of that shape or the port is out of range.
    public init?(parsing text: String) {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            if host.contains(":") { return nil }  // a bare IPv6 address is ambiguous without brackets
        }
        guard !host.isEmpty, !host.contains(where: \.isWhitespace),
              portText.allSatisfy(\.isASCIIDigit), portText.count <= 5,
              let port = Int(portText), (0...65_535).contains(port)
        else { return nil }
        self.init(host: String(host), port: port)
    }

    /// Loopback is 127.0.0.0/8, `::1` and `localhost`: an open API is allowed there without `allowAnonymous`.
    public var isLoopback: Bool {
        if host == "localhost" || host == "::1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets[0] == "127" else { return false }
        return octets.allSatisfy { octet in
            !octet.isEmpty && octet.count <= 3 && octet.allSatisfy(\.isASCIIDigit) && Int(octet)! <= 255
        }
    }

    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
