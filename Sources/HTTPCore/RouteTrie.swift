/// Routes stored as a trie of path segments, so matching costs one dictionary lookup per segment whatever the number
/// of routes. Literal segments win over parameters; a parameter is tried when the literal branch leads nowhere.
struct RouteTrie: Sendable {
    typealias Handler = @Sendable (HTTPRequest) async throws -> HTTPResponse
    /// An answer from a routed request's head alone (see `HTTPResponder.answerBeforeBody`), or nil.
    typealias HeadCheck = @Sendable (HTTPRequest) -> HTTPResponse?

    struct Route: Sendable {
        var handler: Handler
        var access: RouteAccess
        var beforeBody: HeadCheck?
        /// The names of the pattern's `{name}` segments, in order.
        var parameterNames: [String]
    }

    /// Nodes live in one array and refer to each other by index: a value type without recursion through optionals.
    struct Node: Sendable {
        var literals: [String: Int] = [:]
        /// The UTF-8 length of the longest key in `literals`: a longer segment (a scan id, usually) cannot match one
        /// and is not copied into a `String` to look it up.
        var longestLiteral = 0
        var parameter: Int?
        var routes: [HTTPMethod: Route] = [:]
        /// The first pattern registered at this node, for metrics labels.
        var pattern: String?
    }

    private(set) var nodes = [Node()]

    mutating func insert(
        _ method: HTTPMethod, _ pattern: String, access: RouteAccess, beforeBody: HeadCheck?, _ handler: @escaping Handler
    ) {
        precondition(pattern.first == "/", "route pattern must start with /: \(pattern)")
        var current = 0
        var parameterNames: [String] = []
        var segments = PathSegments(pattern[...])
        while let segment = segments.next() {
            if segment.first == "{", segment.last == "}", segment.count > 2 {
                parameterNames.append(String(segment.dropFirst().dropLast()))
                current = child(of: current, parameter: true, literal: "")
            } else {
                precondition(!segment.contains("{") && !segment.contains("}"), "malformed route segment: \(pattern)")
                current = child(of: current, parameter: false, literal: String(segment))
            }
        }
        precondition(nodes[current].routes[method] == nil, "route registered twice: \(method) \(pattern)")
        nodes[current].routes[method] = Route(handler: handler, access: access, beforeBody: beforeBody, parameterNames: parameterNames)
        if nodes[current].pattern == nil { nodes[current].pattern = pattern }
    }

    /// The node a path's segments lead to and the values of its parameter segments, or nil. `segments` yields the
    /// decoded segments in order (see `PathSegments`); it is copied to backtrack, so it must be a value.
    func match<Segments: IteratorProtocol<Substring>>(_ segments: Segments) -> (node: Node, parameters: [Substring])? {
        var parameters: [Substring] = []
        guard let index = match(segments, from: 0, &parameters) else { return nil }
        return (nodes[index], parameters)
    }

    private func match<Segments: IteratorProtocol<Substring>>(
        _ segments: Segments, from node: Int, _ parameters: inout [Substring]
    ) -> Int? {
        var rest = segments
        guard let segment = rest.next() else { return nodes[node].routes.isEmpty ? nil : node }
        if segment.utf8.count <= nodes[node].longestLiteral, let literal = nodes[node].literals[String(segment)],
            let found = match(rest, from: literal, &parameters)
        {
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
        if parameter {
            nodes[node].parameter = created
        } else {
            nodes[node].literals[literal] = created
            nodes[node].longestLiteral = max(nodes[node].longestLiteral, literal.utf8.count)
        }
        return created
    }

}

/// The segments of an absolute path, split at `/` without copying: `/a/b` → `a`, `b`; `/` → nothing; `/a/` → `a`,
/// `` (a trailing slash is a distinct, empty segment). Works on UTF-8 code units: `/` never occurs inside a
/// multi-byte character, and grapheme breaking is slow.
struct PathSegments: IteratorProtocol {
    private let path: Substring
    /// Where the next segment starts; nil once the last one was returned.
    private var start: Substring.UTF8View.Index?

    /// `path` must start with `/` (anything else yields no segments).
    init(_ path: Substring) {
        self.path = path
        let utf8 = path.utf8
        if utf8.first == UInt8(ascii: "/") {
            let afterSlash = utf8.index(after: utf8.startIndex)
            start = afterSlash == utf8.endIndex ? nil : afterSlash
        }
    }

    mutating func next() -> Substring? {
        guard let from = start else { return nil }
        let utf8 = path.utf8
        if let slash = utf8[from...].firstIndex(of: UInt8(ascii: "/")) {
            start = utf8.index(after: slash)
            return Substring(utf8[from..<slash])
        }
        start = nil
        return Substring(utf8[from...])
    }
}
