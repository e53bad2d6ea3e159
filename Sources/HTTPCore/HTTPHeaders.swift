/// An ordered list of header fields with case-insensitive lookup.
///
/// Names keep the case they arrived with (HTTP/2 sends them lower-cased); comparisons ignore ASCII case.
public struct HTTPHeaders: Sendable, Sequence, ExpressibleByDictionaryLiteral, Equatable {
    public typealias Field = (name: String, value: String)
    private var fields: [Field]

    public init() { fields = [] }
    public init(_ fields: [(String, String)]) { self.fields = fields.map { (name: $0.0, value: $0.1) } }
    public init(dictionaryLiteral elements: (String, String)...) { self.init(elements) }

    public var count: Int { fields.count }
    public var isEmpty: Bool { fields.isEmpty }
    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }

    /// The first value of the field, or nil.
    public subscript(name: String) -> String? {
        fields.first { $0.name.equalsIgnoringASCIICase(name) }?.value
    }

    /// Every value of the field, in order.
    public func values(for name: String) -> [String] {
        fields.compactMap { $0.name.equalsIgnoringASCIICase(name) ? $0.value : nil }
    }

    public func contains(_ name: String) -> Bool { self[name] != nil }

    /// Appends a field, keeping any existing ones of the same name.
    public mutating func add(_ name: String, _ value: String) { fields.append((name: name, value: value)) }

    /// Replaces every field of this name by one.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        fields.append((name: name, value: value))
    }

    public mutating func remove(_ name: String) {
        // Checked first: `removeAll` on storage shared with another copy (a request passed down a middleware chain)
        // copies it even when nothing matches.
        guard fields.contains(where: { $0.name.equalsIgnoringASCIICase(name) }) else { return }
        fields.removeAll { $0.name.equalsIgnoringASCIICase(name) }
    }

    /// True when a comma-separated list field (e.g. `Connection`) holds `token`, ignoring case.
    public func listContains(_ name: String, token: String) -> Bool {
        values(for: name).contains { value in
            value.split(separator: ",").contains { $0.trimmingASCIISpaces().equalsIgnoringASCIICase(token) }
        }
    }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.count == rhs.fields.count
            && zip(lhs.fields, rhs.fields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}

extension StringProtocol {
    /// ASCII case-insensitive equality, without allocating lower-cased copies. Runs for every field a header lookup
    /// passes, so native strings are compared as byte buffers (iterating two `UTF8View`s in step costs several
    /// times more).
    public func equalsIgnoringASCIICase<Other: StringProtocol>(_ other: Other) -> Bool {
        let a = utf8, b = other.utf8
        guard a.count == b.count else { return false }
        let contiguous = a.withContiguousStorageIfAvailable { x in
            b.withContiguousStorageIfAvailable { y in ASCIICase.equal(x, y) }
        }
        if let result = contiguous ?? nil { return result }
        return zip(a, b).allSatisfy { ASCIICase.lower($0) == ASCIICase.lower($1) }
    }

    /// The text without leading and trailing spaces and tabs (optional whitespace, RFC 9110 §5.6.3).
    public func trimmingASCIISpaces() -> Substring {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return s
    }
}

/// ASCII case folding on bytes.
enum ASCIICase {
    static func lower(_ byte: UInt8) -> UInt8 { (byte >= 65 && byte <= 90) ? byte | 0x20 : byte }

    /// Equal byte buffers of the same length, ignoring ASCII case.
    static func equal(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Bool {
        for index in x.indices where x[index] != y[index] && lower(x[index]) != lower(y[index]) { return false }
        return true
    }
}
