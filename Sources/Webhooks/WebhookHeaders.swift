/// The request header fields a verifier reads, with ASCII case-insensitive lookup.
///
/// A value type of its own so this module stays independent of the HTTP layer: the application converts
/// its request headers with `WebhookHeaders(request.headers.map { ($0.name, $0.value) })`.
public struct WebhookHeaders: Sendable, ExpressibleByArrayLiteral {
    private let fields: [(name: String, value: String)]

    public init(_ fields: [(String, String)]) {
        self.fields = fields.map { (name: $0.0, value: $0.1) }
    }

    /// `[("webhook-id", "msg_1"), ...]`: a list, since fields may repeat.
    public init(arrayLiteral elements: (String, String)...) { self.init(elements) }

    /// Every value of the field, in arrival order.
    public func values(for name: String) -> [String] {
        fields.compactMap { Self.sameName($0.name, name) ? $0.value : nil }
    }

    /// Whether the field was sent at all (without collecting its values).
    func contains(_ name: String) -> Bool {
        fields.contains { Self.sameName($0.name, name) }
    }

    /// The field's value when it was sent exactly once (or repeated with the same value).
    ///
    /// Two different values for an identity field such as `webhook-id` would make the delivery ambiguous,
    /// so that case is reported rather than resolved by picking one.
    func single(_ name: String) -> SingleValue {
        let values = values(for: name)
        guard let first = values.first else { return .absent }
        return values.allSatisfy { $0 == first } ? .value(first) : .conflicting
    }

    enum SingleValue: Equatable {
        case absent
        case value(String)
        case conflicting
    }

    /// Compared as byte buffers: it runs for every field of every lookup, and iterating two `UTF8View`s in step
    /// costs several times more.
    private static func sameName(_ a: String, _ b: String) -> Bool {
        // Most fields a lookup passes differ in length (O(1) for native strings): no buffers are opened for them.
        guard a.utf8.count == b.utf8.count else { return false }
        var a = a, b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                x.count == y.count && !x.indices.contains { x[$0] != y[$0] && lower(x[$0]) != lower(y[$0]) }
            }
        }
    }

    private static func lower(_ byte: UInt8) -> UInt8 {
        (byte >= 65 && byte <= 90) ? byte | 0x20 : byte
    }
}
