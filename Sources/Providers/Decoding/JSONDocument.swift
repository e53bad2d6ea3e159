/// A strict JSON document as `JSONParser` leaves it: one flat list of entries in document order over the original
/// bytes, read in place (`JSONNode`) or turned into a `JSONValue` tree.
///
/// Why a flat list: building the tree's dictionaries (hashing every key, growing every table) cost two thirds of a
/// relayed scan's decoding, while a decoder reads a few fields of each object once. Reading them from the list costs
/// a walk over the object's members, comparing key bytes, and only the values read become `String`s.
final class JSONDocument: Sendable {
    enum Kind: UInt8, Sendable {
        case null, `false`, `true`, number, string, array, object
    }

    /// One value, or one object key (a `.string` entry right before its value).
    struct Entry: Sendable {
        var kind: Kind
        /// Strings: whether the text is in `strings` (it had escapes or non-ASCII bytes) rather than in the bytes.
        var decoded = false
        /// Strings: the first byte after the opening quote, or the index into `strings`. Containers: their member
        /// (object) or item (array) count.
        var start = 0
        /// Strings: the byte of the closing quote. Containers: the index of the entry after the container's last.
        var end = 0
        var number = 0.0
    }

    let bytes: [UInt8]
    let entries: [Entry]
    /// The text of strings with escapes or non-ASCII bytes, resolved and validated while parsing.
    let strings: [String]

    init(bytes: [UInt8], entries: [Entry], strings: [String]) {
        self.bytes = bytes
        self.entries = entries
        self.strings = strings
    }

    var root: JSONNode { JSONNode(document: self, index: 0) }

    /// The index of the entry after the value at `index` (past a container's contents).
    func next(after index: Int) -> Int {
        let entry = entries[index]
        return entry.kind == .array || entry.kind == .object ? entry.end : index + 1
    }

    func text(at index: Int) -> String {
        let entry = entries[index]
        // Plain strings are ASCII without escapes (anything else went to `strings`): no validation needed.
        return entry.decoded ? strings[entry.start] : String(decoding: bytes[entry.start..<entry.end], as: UTF8.self)
    }

    /// Whether the string entry at `index` is exactly `key`.
    func string(at index: Int, equals key: StaticString) -> Bool {
        let entry = entries[index]
        if entry.decoded { return strings[entry.start] == key.description }
        return key.withUTF8Buffer { wanted in
            wanted.count == entry.end - entry.start
                && bytes.withUnsafeBufferPointer { Self.same(wanted, $0, from: entry.start) }
        }
    }

    /// For the object at `object`: per key of `keys`, the index of its member's value (the last member when a key
    /// repeats), in one walk over the members.
    func members(of object: Int, named keys: JSONKeys) -> [Int?] {
        var found = [Int?](repeating: nil, count: keys.count)
        entries.withUnsafeBufferPointer { entries in
            bytes.withUnsafeBufferPointer { bytes in
                keys.bytes.withUnsafeBufferPointer { names in
                    let end = entries[object].end
                    var member = object + 1
                    while member < end {
                        let key = entries[member]
                        if key.decoded {
                            if let slot = keys.slot(ofText: strings[key.start]) { found[slot] = member + 1 }
                        } else {
                            let length = key.end - key.start
                            for slot in 0..<keys.count where keys.bounds[slot + 1] - keys.bounds[slot] == length {
                                let name = UnsafeBufferPointer(rebasing: names[keys.bounds[slot]..<keys.bounds[slot + 1]])
                                if Self.same(name, bytes, from: key.start) {
                                    found[slot] = member + 1
                                    break  // the keys asked for are distinct
                                }
                            }
                        }
                        let value = entries[member + 1]
                        member = value.kind == .array || value.kind == .object ? value.end : member + 2
                    }
                }
            }
        }
        return found
    }

    /// Whether `bytes` holds `wanted` at `start` (the caller has checked that it fits).
    private static func same(
        _ wanted: UnsafeBufferPointer<UInt8>, _ bytes: UnsafeBufferPointer<UInt8>, from start: Int
    ) -> Bool {
        var offset = 0
        while offset < wanted.count {
            guard bytes[start + offset] == wanted[offset] else { return false }
            offset += 1
        }
        return true
    }
}

/// One value of a `JSONDocument`, read where it lies.
struct JSONNode: Sendable {
    let document: JSONDocument
    let index: Int

    var kind: JSONDocument.Kind { document.entries[index].kind }

    var isNull: Bool { kind == .null }

    /// The text of a string value, empty strings included; nil for any other kind.
    var text: String? { kind == .string ? document.text(at: index) : nil }

    /// `body` over the UTF-8 of a string value, without making a `String` of text that lies in the bytes; nil for
    /// any other kind.
    func withText<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result? {
        let entry = document.entries[index]
        guard entry.kind == .string else { return nil }
        if entry.decoded {
            var text = document.strings[entry.start]
            return text.withUTF8(body)
        }
        return document.bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[entry.start..<entry.end])) }
    }

    var number: Double? {
        let entry = document.entries[index]
        return entry.kind == .number ? entry.number : nil
    }

    /// The value of the object's member `key`, the last one when a key repeats (as a dictionary keeps it); nil when
    /// this is not an object or has no such member. A walk over the members: objects are read a few keys each.
    subscript(key: StaticString) -> JSONNode? {
        guard kind == .object else { return nil }
        let end = document.entries[index].end
        var found: Int?
        var member = index + 1
        while member < end {
            let value = member + 1
            if document.string(at: member, equals: key) { found = value }
            member = document.next(after: value)
        }
        return found.map { JSONNode(document: document, index: $0) }
    }

    /// The members named `keys` of an object, found in one walk (cheaper than a lookup per key when several are
    /// read); nil when this is not an object.
    func members(_ keys: JSONKeys) -> JSONMembers? {
        guard kind == .object else { return nil }
        return JSONMembers(document: document, keys: keys, values: document.members(of: index, named: keys))
    }

    /// The items of an array; nil for any other kind.
    var items: [JSONNode]? {
        let entry = document.entries[index]
        guard entry.kind == .array else { return nil }
        var items: [JSONNode] = []
        items.reserveCapacity(entry.start)
        var item = index + 1
        while item < entry.end {
            items.append(JSONNode(document: document, index: item))
            item = document.next(after: item)
        }
        return items
    }
}

/// The object keys a decoder reads, as bytes laid end to end: made once (a `static let`), compared with a document's
/// keys without making a `String` of either.
struct JSONKeys: @unchecked Sendable {
    let bytes: [UInt8]
    /// Key `slot` is `bytes[bounds[slot]..<bounds[slot + 1]]`.
    let bounds: [Int]
    /// Where each key's literal lies: a decoder names a key with the same literal it was made from, which the
    /// compiler stores once, so finding its slot is usually a pointer comparison (immutable static text: Sendable).
    private let literals: [UnsafeRawPointer?]

    init(_ keys: StaticString...) {
        var bytes: [UInt8] = []
        var bounds = [0]
        for key in keys {
            key.withUTF8Buffer { bytes.append(contentsOf: $0) }
            bounds.append(bytes.count)
        }
        self.bytes = bytes
        self.bounds = bounds
        literals = keys.map { $0.hasPointerRepresentation ? UnsafeRawPointer($0.utf8Start) : nil }
    }

    var count: Int { bounds.count - 1 }

    func slot(ofText text: String) -> Int? {
        (0..<count).first { bytes[bounds[$0]..<bounds[$0 + 1]].elementsEqual(text.utf8) }
    }

    func slot(of key: StaticString) -> Int? {
        if key.hasPointerRepresentation, let slot = literals.firstIndex(of: UnsafeRawPointer(key.utf8Start)) {
            return slot
        }
        return key.withUTF8Buffer { wanted in
            (0..<count).first { bounds[$0 + 1] - bounds[$0] == wanted.count && bytes[bounds[$0]..<bounds[$0 + 1]].elementsEqual(wanted) }
        }
    }
}

/// Some members of one object, found together (`JSONNode.members`).
struct JSONMembers {
    let document: JSONDocument
    let keys: JSONKeys
    let values: [Int?]

    /// The member's value; nil when absent. `key` must be one of the keys asked for.
    subscript(key: StaticString) -> JSONNode? {
        guard let slot = keys.slot(of: key) else { preconditionFailure("\(key) was not among the keys looked up") }
        return values[slot].map { JSONNode(document: document, index: $0) }
    }
}

extension JSONValue {
    /// The tree of the value at `index` (the whole document at 0).
    init(_ document: JSONDocument, at index: Int = 0) {
        let entry = document.entries[index]
        switch entry.kind {
        case .null: self = .null
        case .false: self = .bool(false)
        case .true: self = .bool(true)
        case .number: self = .number(entry.number)
        case .string: self = .string(document.text(at: index))
        case .array:
            var items: [JSONValue] = []
            items.reserveCapacity(entry.start)
            var item = index + 1
            while item < entry.end {
                items.append(JSONValue(document, at: item))
                item = document.next(after: item)
            }
            self = .array(items)
        case .object:
            var fields: [String: JSONValue] = Dictionary(minimumCapacity: entry.start)
            var member = index + 1
            while member < entry.end {
                fields[document.text(at: member)] = JSONValue(document, at: member + 1)
                member = document.next(after: member + 1)
            }
            self = .object(fields)
        }
    }
}
