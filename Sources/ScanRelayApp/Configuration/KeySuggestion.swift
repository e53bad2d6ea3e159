/// Finds the valid key an unknown one was probably meant to be, so a typo is reported with its fix.
enum KeySuggestion {
    /// The valid key closest to `key` by edit distance (case-insensitive), if close enough to be a typo.
    static func nearest(to key: String, among validKeys: [String]) -> String? {
        let lowered = key.lowercased()
        let scored = validKeys.map { ($0, editDistance(lowered, $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        // A third of the length, at least 2: "listne" → "listen", but "tls" is not a typo of "api".
        let tolerance = max(2, key.count / 3)
        return best.1 <= tolerance ? best.0 : nil
    }

    /// Levenshtein distance where swapping two adjacent characters counts as one edit.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previousPrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], previousPrevious[j - 2] + 1)
                }
            }
            (previousPrevious, previous, current) = (previous, current, previousPrevious)
        }
        return previous[b.count]
    }
}
