/// Decodes a `Transfer-Encoding: chunked` body (RFC 9112 §7.1) as its bytes arrive.
///
/// Chunk data is appended to the caller's body; chunk extensions are accepted but bounded by the size-line limit;
/// the trailer section is validated like header fields, bounded by `maxTrailerBytes`, and then dropped (no handler
/// in this service reads trailers, and RFC 9110 §6.5.1 forbids merging them into the header section blindly).
struct ChunkedBodyDecoder: Sendable {
    /// A size line is at most 16 hex digits; this leaves room for a modest extension and no more.
    static let maxSizeLineBytes = 1024

    private enum State: Sendable {
        case size
        case data(remaining: Int)
        /// The CR, then the LF, that must follow chunk data.
        case dataEnd(expecting: UInt8)
        case trailers
    }

    private var state = State.size
    private var reader = HTTP1LineReader()
    private var trailerBytes = 0

    /// Consumes from `input[index...]`; returns true, with `index` just past the body, once the final CRLF arrived.
    mutating func decode(
        _ input: UnsafeRawBufferPointer,
        _ index: inout Int,
        into body: inout [UInt8],
        limits: HTTPLimits
    ) throws(HTTP1ParseError) -> Bool {
        while index < input.count {
            switch state {
            case .size:
                guard
                    try reader.read(
                        input, &index, limit: Self.maxSizeLineBytes, tooLong: .badRequest("chunk size line too long"))
                else { return false }
                let size = try Self.chunkSize(reader.line)
                reader.reset()
                // Refused as soon as the declared size would carry the body past the limit.
                guard size <= UInt64(limits.maxBodyBytes - body.count) else {
                    throw .bodyTooLarge(limit: limits.maxBodyBytes)
                }
                state = size == 0 ? .trailers : .data(remaining: Int(size))
            case .data(let remaining):
                let count = min(remaining, input.count - index)
                body.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[index..<(index + count)]))
                index += count
                state = count == remaining ? .dataEnd(expecting: HTTPCharacters.cr) : .data(remaining: remaining - count)
            case .dataEnd(let expected):
                guard input[index] == expected else { throw .badRequest("missing CRLF after chunk data") }
                index += 1
                state = expected == HTTPCharacters.cr ? .dataEnd(expecting: HTTPCharacters.lf) : .size
            case .trailers:
                let left = limits.maxTrailerBytes - trailerBytes
                guard
                    try reader.read(
                        input, &index, limit: limits.fieldLineLimit(sectionBytesLeft: left),
                        tooLong: limits.fieldLineTooLarge(
                            sectionBytesLeft: left, section: "trailer section", sectionLimit: limits.maxTrailerBytes))
                else { return false }
                if reader.line.isEmpty { return true }
                trailerBytes += reader.line.count
                _ = try HTTP1FieldLine.parse(reader.line)
                reader.reset()
            }
        }
        return false
    }

    /// `1*16HEXDIG [ ";" extension ]`: no sign, no spaces, no empty size, no more digits than 64 bits hold.
    static func chunkSize(_ line: [UInt8]) throws(HTTP1ParseError) -> UInt64 {
        var size: UInt64 = 0
        var digits = 0
        while digits < line.count, let value = HTTPCharacters.hexValue(line[digits]) {
            guard digits < 16 else { throw .badRequest("chunk size has more than 16 hex digits") }
            size = size << 4 | UInt64(value)
            digits += 1
        }
        guard digits > 0 else { throw .badRequest("invalid chunk size") }
        guard digits < line.count else { return size }
        guard line[digits] == UInt8(ascii: ";") else { throw .badRequest("invalid chunk size") }
        let ext = line[(digits + 1)...]
        guard !ext.isEmpty, ext.allSatisfy(HTTPCharacters.isFieldValue) else { throw .badRequest("invalid chunk extension") }
        return size
    }
}
