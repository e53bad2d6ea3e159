/// Routes stored as a trie of path segments, so matching costs one dictionary lookup per segment whatever the number
/// of routes. Literal segments win over parameters; a parameter is tried when the literal branch leads nowhere.
struct RouteTrie: Sendable {
    typealias Handler = @Sendable (HTTPRequest) async -> HTTPResponse

    struct Route: Sendable {
        var handler: Handler
        /// The names of the pattern's `{name}` segments, in order.
        var parameterNames: [String]
    }

    /// Nodes live in one array and refer to each other by index: a value type without recursion through optionals.
    struct Node: Sendable {
        var literals: [String: Int] = [:]
        var parameter: Int?
        var routes: [HTTPMethod: Route] = [:]
        /// The first pattern registered at this node, for metrics labels.
        var pattern: String?
    }

    private(set) var nodes = [Node()]

    mutating func insert(_ method: HTTPMethod, _ pattern: String, _ handler: @escaping Handler) {
        precondition(pattern.first == "/", "route pattern must start with /: \(pattern)")
        var current = 0
        var parameterNames: [String] = []
        for segment in Self.segments(of: pattern[...]) {
            if segment.first == "{", segment.last == "}", segment.count > 2 {
                parameterNames.append(String(segment.dropFirst().dropLast()))
                current = child(of: current, parameter: true, literal: "")
            } else {
                precondition(!segment.contains("{") && !segment.contains("}"), "malformed route segment: \(pattern)")
                current = child(of: current, parameter: false, literal: String(segment))
            }
        }
        precondition(nodes[current].routes[method] == nil, "route registered twice: \(method) \(pattern)")
        nodes[current].routes[method] = Route(handler: handler, parameterNames: parameterNames)
        if nodes[current].pattern == nil { nodes[current].pattern = pattern }
    }

    /// The node of a path's decoded segments and the values of its parameter segments, or nil.
    func match(_ segments: [String]) -> (node: Node, parameters: [String])? {
        var parameters: [String] = []
        guard let index = match(segments[...], from: 0, &parameters) else { return nil }
        return (nodes[index], parameters)
    }

    private func match(_ segments: ArraySlice<String>, from node: Int, _ parameters: inout [String]) -> Int? {
        guard let segment = segments.first else { return nodes[node].routes.isEmpty ? nil : node }
        let rest = segments.dropFirst()
        if let literal = nodes[node].literals[segment], let found = match(rest, from: literal, &parameters) {
            return found
        }
        if let parameter = nodes[node].parameter, !segment.isEmpty {
            parameters.append(segment)
            if let found = match(rest, from: parameter, &parameters) { return found }
            parameters.removeLast()
        }
        return nil
    }

    private mutating func child(of node: Int, parameter: Bool, literal: String) -> Int {
        if let existing = parameter ? nodes[node].parameter : nodes[node].literals[literal] { return existing }
        nodes.append(Node())
        let created = nodes.count - 1
        if parameter { nodes[node].parameter = created } else { nodes[node].literals[literal] = created }
        return created
    }

    /// `/a/b` → `a`, `b`; `/` → nothing; `/a/` → `a`, `` (a trailing slash is a distinct, empty segment).
    /// Works on UTF-8 code units: `/` never occurs inside a multi-byte character, and grapheme breaking is slow.
    static func segments(of path: Substring) -> [Substring] {
        let utf8 = path.utf8
        guard var start = utf8.first == UInt8(ascii: "/") ? utf8.index(after: utf8.startIndex) : nil,
            start != utf8.endIndex
        else { return [] }
        var segments: [Substring] = []
        var index = start
        while index != utf8.endIndex {
            if utf8[index] == UInt8(ascii: "/") {
                segments.append(Substring(utf8[start..<index]))
                start = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        segments.append(Substring(utf8[start...]))
        return segments
    }
}
