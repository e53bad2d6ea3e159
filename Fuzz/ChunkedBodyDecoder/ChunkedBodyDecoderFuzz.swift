// libFuzzer entry point for ChunkedBodyDecoder, compiled into one module with Sources/HTTPCore by scripts/fuzz.sh
// (so the internal decoder is reachable without a request head in front of every input).
//
// Each input is decoded whole, cut in two at an offset chosen by its last byte, and byte by byte; the outcomes must
// be equal and the body must stay within the limit. Any difference or violated bound traps.

private let fuzzLimits = HTTPLimits(maxBodyBytes: 512, maxTrailerBytes: 64)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzChunkedBodyDecoder(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    let whole = decode(input, cuts: [])
    let cut = size == 0 ? 0 : Int(input[size - 1]) % (size + 1)
    precondition(whole == decode(input, cuts: [cut]), "outcome depends on the split at \(cut)")
    precondition(whole == decode(input, cuts: Array(0..<size)), "outcome differs when fed byte by byte")
    return 0
}

/// The body, where decoding stopped, and how (complete, waiting for more, or the error).
private struct Outcome: Equatable {
    var body: [UInt8] = []
    var consumed = 0
    var ending = "needs more"
}

private func decode(_ input: UnsafeRawBufferPointer, cuts: [Int]) -> Outcome {
    var decoder = ChunkedBodyDecoder()
    var outcome = Outcome()
    var start = 0
    for end in cuts + [input.count] {
        defer { start = end }
        let piece = UnsafeRawBufferPointer(rebasing: input[start..<end])
        var index = 0
        do throws(HTTP1ParseError) {
            let complete = try decoder.decode(piece, &index, into: &outcome.body, limits: fuzzLimits)
            precondition(outcome.body.count <= fuzzLimits.maxBodyBytes, "body over the limit")
            outcome.consumed += index
            if complete {
                outcome.ending = "complete"
                return outcome
            }
            precondition(index == piece.count, "stopped early without completing")
        } catch {
            outcome.consumed += index
            outcome.ending = "\(error.status.code) \(error.reason)"
            return outcome
        }
    }
    return outcome
}
