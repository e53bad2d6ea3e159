import Yams

/// One YAML mapping being read. Every accessor marks its key as known; `finish()` then reports the keys nobody asked
/// for, with the nearest valid key, so a typo (`idelTimeout`) is an error instead of a silently ignored setting.
final class ConfigMapping {
    let reader: ConfigurationReader
    let node: Node
    let path: String
    private let entries: [(key: String, keyNode: Node, value: Node)]
    private var knownKeys: [String] = []

    init(reader: ConfigurationReader, mapping: Node.Mapping, node: Node, path: String) {
        self.reader = reader
        self.node = node
        self.path = path
        self.entries = mapping.map { (key: $0.key.string ?? "", keyNode: $0.key, value: $0.value) }
    }

    var line: Int? { node.mark?.line }

    func childPath(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    /// The value node of `key`; an explicit `null` (`key:` with nothing after it) counts as absent.
    func value(_ key: String) -> Node? {
        knownKeys.append(key)
        guard let value = entries.first(where: { $0.key == key })?.value else { return nil }
        if case .scalar(let scalar) = value, scalar.string.isEmpty || scalar.string == "~" || scalar.string == "null",
           scalar.style == .plain {
            return nil
        }
        return value
    }

    func contains(_ key: String) -> Bool {
        entries.contains { $0.key == key }
    }

    /// Reports `key` as missing, on the line of this mapping.
    func reportMissing(_ key: String, _ hint: String) {
        reader.report("is required; \(hint)", at: childPath(key), line: line)
    }

    func report(_ message: String, key: String) {
        reader.report(message, at: childPath(key), node: value(key) ?? node)
    }

    // MARK: Typed values

    /// A string; `keyFile` (a path) may give it instead, for secrets mounted as files.
    func string(_ key: String, required hint: String? = nil) -> String? {
        let fileKey = key + "File"
        let inline = value(key)
        let fromFile = value(fileKey)
        switch (inline, fromFile) {
        case (let node?, nil):
            return reader.text(node, path: childPath(key))
        case (nil, let node?):
            return reader.fileContents(node, path: childPath(fileKey))
        case (_?, _?):
            reader.report("give either \(key) or \(fileKey), not both", at: childPath(fileKey), node: fromFile)
            return nil
        case (nil, nil):
            if let hint { reportMissing(key, hint) }
            return nil
        }
    }

    func int(_ key: String, in range: ClosedRange<Int>) -> Int? {
        parsed(key, expected: "an integer from \(range.lowerBound) to \(range.upperBound)") { text in
            Int(text).flatMap { range.contains($0) ? $0 : nil }
        }
    }

    func bool(_ key: String) -> Bool? {
        parsed(key, expected: "true or false") { text in
            switch text {
            case "true": true
            case "false": false
            default: nil
            }
        }
    }

    func duration(_ key: String, atLeast minimum: Duration = .milliseconds(1)) -> Duration? {
        guard let text = stringValue(key) else { return nil }
        guard let duration = DurationSyntax.parse(text) else {
            report("\"\(shown(text, of: key))\" is not a duration; write \(DurationSyntax.expected)", key: key)
            return nil
        }
        guard duration >= minimum else {
            report("must be at least \(DurationSyntax.format(minimum))", key: key)
            return nil
        }
        return duration
    }

    func size(_ key: String, atLeast minimum: Int = 1) -> Int? {
        guard let text = stringValue(key) else { return nil }
        guard let size = ByteSizeSyntax.parse(text) else {
            report("\"\(shown(text, of: key))\" is not a size; write \(ByteSizeSyntax.expected)", key: key)
            return nil
        }
        guard size >= minimum else {
            report("must be at least \(minimum) bytes", key: key)
            return nil
        }
        return size
    }

    func choice<Value: RawRepresentable & CaseIterable>(_ key: String, of _: Value.Type) -> Value?
    where Value.RawValue == String {
        let valid = Value.allCases.map(\.rawValue).joined(separator: ", ")
        return parsed(key, expected: "one of \(valid)") { Value(rawValue: $0) }
    }

    /// A list of strings; a single string is accepted as a list of one.
    func strings(_ key: String) -> [String]? {
        guard let node = value(key) else { return nil }
        if node.scalar != nil { return reader.text(node, path: childPath(key)).map { [$0] } }
        guard let items = reader.sequence(node, path: childPath(key)) else { return nil }
        let texts = items.enumerated().map { reader.text($1, path: "\(childPath(key))[\($0)]") }
        return texts.contains(nil) ? nil : texts.compactMap { $0 }
    }

    func mapping(_ key: String) -> ConfigMapping? {
        value(key).flatMap { reader.mapping($0, path: childPath(key)) }
    }

    func sequence(_ key: String) -> [Node]? {
        value(key).flatMap { reader.sequence($0, path: childPath(key)) }
    }

    /// Reports every key of this mapping that no accessor asked for.
    func finish() {
        let valid = Array(Set(knownKeys)).sorted()
        for entry in entries where !knownKeys.contains(entry.key) {
            // `...File` variants exist for every string key but are offered only for a key that looks like one.
            // Unless a mapping has only file keys (`upstream.tls`).
            let plain = valid.filter { !$0.hasSuffix("File") }
            let candidates = entry.key.hasSuffix("File") || plain.isEmpty ? valid : plain
            let message: String
            if let nearest = KeySuggestion.nearest(to: entry.key, among: candidates) {
                message = "unknown key; did you mean \"\(nearest)\"?"
            } else {
                message = "unknown key; valid keys here: \(candidates.joined(separator: ", "))"
            }
            reader.report(message, at: childPath(entry.key), node: entry.keyNode)
        }
    }

    /// `text`, the value of `key`, as a problem may quote it: as written in the file when it came from `${ENV}`, so
    /// a secret put under the wrong key is named by its variable, never echoed.
    func shown(_ text: String, of key: String) -> String {
        // Read from the entries, not through `value(_:)`: quoting a value is not reading the key.
        if let written = entries.first(where: { $0.key == key })?.value.scalar?.string, written.contains("${") {
            return written
        }
        return text
    }

    // MARK: Helpers

    private func stringValue(_ key: String) -> String? {
        value(key).flatMap { reader.text($0, path: childPath(key)) }
    }

    private func parsed<Value>(_ key: String, expected: String, _ parse: (String) -> Value?) -> Value? {
        guard let text = stringValue(key) else { return nil }
        guard let parsedValue = parse(text) else {
            report("\"\(shown(text, of: key))\" is not valid; expected \(expected)", key: key)
            return nil
        }
        return parsedValue
    }
}
