// libFuzzer entry point for HTTP1Parser, compiled into one module with Sources/HTTPCore by scripts/fuzz.sh.
//
// Each input is parsed three times: whole, cut in two at an offset chosen by its last byte, and byte by byte. The
// outcomes must be equal (the parser promises split-independence) and every emitted request must respect the limits.
// Any difference or violated bound traps, which libFuzzer reports as a crash.

/// Small limits so the fuzzer reaches every limit path with short inputs.
private let fuzzLimits = HTTPLimits(
    maxRequestLineBytes: 200, maxHeaderBytes: 400, maxHeaderFields: 8, maxBodyBytes: 300, maxTrailerBytes: 60)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTP1Parser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    let whole = parse(input, cuts: [])
    let cut = size == 0 ? 0 : Int(input[size - 1]) % (size + 1)
    let split = parse(input, cuts: [cut])
    precondition(whole == split, "outcome depends on the split at \(cut): \(whole) vs \(split)")
    precondition(whole == parse(input, cuts: Array(0..<size)), "outcome differs when fed byte by byte")
    return 0
}

/// What one feed produced, as comparable text, after checking each request against the limits.
private func parse(_ input: UnsafeRawBufferPointer, cuts: [Int]) -> [String] {
    var parser = HTTP1Parser(limits: fuzzLimits)
    var outcome: [String] = []
    var start = 0
    for end in cuts + [input.count] {
        defer { start = end }
        parser.consume(UnsafeRawBufferPointer(rebasing: input[start..<end])) { output in
            switch output {
            case .request(let request):
                precondition(request.body.count <= fuzzLimits.maxBodyBytes, "body over the limit")
                precondition(request.headers.count <= fuzzLimits.maxHeaderFields, "too many fields")
                precondition(request.target.utf8.count <= fuzzLimits.maxRequestLineBytes, "target over the limit")
                precondition(request.target.first == "/" || request.target == "*", "target not origin-form")
                let fields = request.headers.map { "\($0.name):\($0.value)" }.joined(separator: "\n")
                outcome.append("\(request.method) \(request.target) \(request.version)\n\(fields)\n\(request.body)")
            case .expectContinue:
                outcome.append("100-continue")
            case .failure(let error):
                outcome.append("\(error.status.code) \(error.reason)")
            }
        }
    }
    outcome.append("paused=\(parser.isPaused) buffered=\(parser.takeBufferedBytes())")
    return outcome
}
