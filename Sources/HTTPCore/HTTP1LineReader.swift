/// Assembles one CRLF-terminated line from bytes that arrive in arbitrary pieces.
///
/// It refuses a bare CR, a bare LF and a line longer than its limit at the byte that makes it so, never after
/// buffering more: a peer cannot make it hold more than `limit + 1` bytes.
struct HTTP1LineReader: Sendable {
    /// The line so far, without CR and LF. Its storage is reused from line to line.
    private(set) var line: [UInt8] = []
    private var sawCR = false

    /// True when no byte of the current line has arrived.
    var isEmpty: Bool { line.isEmpty && !sawCR }

    /// Reads from `input[index...]`. Returns true with `index` just past the LF once a line is complete, false when
    /// the input ran out first.
    mutating func read(
        _ input: UnsafeRawBufferPointer,
        _ index: inout Int,
        limit: Int,
        tooLong: @autoclosure () -> HTTP1ParseError
    ) throws(HTTP1ParseError) -> Bool {
        while index < input.count {
            if sawCR {
                guard input[index] == HTTPCharacters.lf else { throw .badRequest("bare CR in line") }
                index += 1
                return true
            }
            // Copy the run of ordinary bytes in one go, looking at most one byte past the limit.
            let runEnd = min(input.count, index + (limit - line.count) + 1)
            var end = index
            while end < runEnd, input[end] != HTTPCharacters.cr, input[end] != HTTPCharacters.lf { end += 1 }
            line.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[index..<end]))
            index = end
            if line.count > limit { throw tooLong() }
            guard index < input.count else { return false }
            if input[index] == HTTPCharacters.lf { throw .badRequest("bare LF in line") }
            sawCR = true
            index += 1
        }
        return false
    }

    /// Forgets the current line, keeping its storage for the next one.
    mutating func reset() {
        line.removeAll(keepingCapacity: true)
        sawCR = false
    }
}
