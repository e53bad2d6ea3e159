import HTTPCore

/// The `Date` field line (`Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n`), built once a second instead of once per
/// response, from ``HTTPDate``.
struct HTTPDateCache {
    private(set) var fieldLine: [UInt8] = []
    private var clock = HTTPDate.Clock()

    /// Rebuilds the line when the wall-clock second changed.
    mutating func refresh() {
        let previous = clock.text
        let text = clock.current()
        guard text != previous || fieldLine.isEmpty else { return }
        fieldLine = Self.fieldLine(text)
    }

    static func fieldLine(for seconds: Int) -> [UInt8] {
        fieldLine(HTTPDate.format(seconds))
    }

    private static func fieldLine(_ date: String) -> [UInt8] {
        Array("Date: \(date)\r\n".utf8)
    }
}
