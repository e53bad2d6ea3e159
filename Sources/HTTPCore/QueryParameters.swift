/// The name/value pairs of a query string (`a=1&b=x+y&b=%2F`), percent-decoded with `+` as a space.
public struct QueryParameters: Sendable, Equatable {
    public struct Item: Sendable, Equatable {
        public var name: String
        public var value: String
    }

    /// In the order they appear; a name without `=` has an empty value; empty pieces (`a=1&&b=2`) are skipped.
    public private(set) var items: [Item]

    /// Parses a raw query; nil when an escape is malformed or not UTF-8, which a handler answers with `400`.
    public init?(_ query: Substring?) {
        items = []
        guard let query else { return }
        for piece in query.split(separator: "&") {
            let equals = piece.firstIndex(of: "=")
            let rawName = equals.map { piece[..<$0] } ?? piece
            let rawValue = equals.map { piece[piece.index(after: $0)...] } ?? ""
            guard let name = PercentDecoding.decode(rawName, plusAsSpace: true),
                let value = PercentDecoding.decode(rawValue, plusAsSpace: true)
            else { return nil }
            items.append(Item(name: name, value: value))
        }
    }

    /// The first value of `name`, or nil.
    public subscript(name: String) -> String? {
        items.first { $0.name == name }?.value
    }

    /// Every value of `name`, in order.
    public func values(for name: String) -> [String] {
        items.compactMap { $0.name == name ? $0.value : nil }
    }
}

extension HTTPRequest {
    /// The decoded query parameters; nil when the query is malformed.
    public var queryParameters: QueryParameters? { QueryParameters(query) }
}
