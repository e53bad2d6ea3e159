import Testing
@testable import HTTPCore

/// One field as a test states it.
struct Field: Equatable, Sendable, CustomStringConvertible {
    var name: String
    var value: String
    var description: String { "\(name): \(value)" }
}

/// What the parser emitted, in a comparable form.
enum ParseEvent: Equatable, Sendable, CustomStringConvertible {
    case request(method: String, target: String, version: HTTPVersion, headers: [Field], body: [UInt8])
    case expectContinue
    case failure(Int)

    init(_ output: HTTP1Parser.Output) {
        switch output {
        case .request(let r):
            self = .request(
                method: r.method.rawValue, target: r.target, version: r.version,
                headers: r.headers.map { Field(name: $0.name, value: $0.value) }, body: r.body)
        case .expectContinue: self = .expectContinue
        case .failure(let error): self = .failure(error.status.code)
        }
    }

    var description: String {
        switch self {
        case let .request(method, target, version, headers, body):
            "\(method) \(target) \(version) \(headers) body=\(String(decoding: body, as: UTF8.self).debugDescription)"
        case .expectContinue: "100-continue"
        case .failure(let code): "failure \(code)"
        }
    }

    /// A request as a vector expects it.
    static func req(
        _ method: String, _ target: String, _ headers: KeyValuePairs<String, String> = ["Host": "example.com"],
        body: String = ""
    ) -> ParseEvent {
        req(method, target, .http1_1, headers, body: body)
    }

    static func req(
        _ method: String, _ target: String, _ version: HTTPVersion, _ headers: KeyValuePairs<String, String>,
        body: String = ""
    ) -> ParseEvent {
        .request(
            method: method, target: target, version: version,
            headers: headers.map { Field(name: $0.key, value: $0.value) }, body: Array(body.utf8))
    }
}

/// Everything observable after feeding a vector.
struct ParseRun: Equatable, CustomStringConvertible {
    var events: [ParseEvent] = []
    var reasons: [String] = []
    var paused = false
    var buffered: [UInt8] = []
    var phase = HTTP1Parser.Phase.idle

    var description: String { "\(events) reasons=\(reasons) paused=\(paused) buffered=\(buffered.count) phase=\(phase)" }
}

/// A test vector: raw bytes in, the exact outcome expected.
struct ParserVector: Sendable, CustomTestStringConvertible {
    var name: String
    var bytes: [UInt8]
    var limits: HTTPLimits
    var expected: [ParseEvent]
    var buffered: [UInt8]

    init(_ name: String, _ text: String, limits: HTTPLimits = HTTPLimits(), buffered: String = "", _ expected: ParseEvent...) {
        self.init(name, bytes: Array(text.utf8), limits: limits, buffered: Array(buffered.utf8), expected)
    }

    init(_ name: String, bytes: [UInt8], limits: HTTPLimits = HTTPLimits(), buffered: [UInt8] = [], _ expected: [ParseEvent]) {
        self.name = name
        self.bytes = bytes
        self.limits = limits
        self.expected = expected
        self.buffered = buffered
    }

    var testDescription: String { name }
}

enum ParserHarness {
    /// Feeds `bytes` cut at `cuts` (ascending offsets) to a fresh parser.
    static func run(_ bytes: [UInt8], limits: HTTPLimits, cuts: [Int]) -> ParseRun {
        var parser = HTTP1Parser(limits: limits)
        var run = ParseRun()
        var start = 0
        for end in cuts + [bytes.count] {
            bytes[start..<end].withUnsafeBytes { chunk in
                parser.consume(chunk) { output in
                    run.events.append(ParseEvent(output))
                    if case .failure(let error) = output { run.reasons.append(error.reason) }
                }
            }
            start = end
        }
        run.paused = parser.isPaused
        run.buffered = parser.takeBufferedBytes()
        run.phase = parser.phase
        return run
    }

    /// Feeds the vector whole, byte by byte, and split in two at every offset; every feed must agree.
    static func outcome(of bytes: [UInt8], limits: HTTPLimits) -> ParseRun {
        let whole = run(bytes, limits: limits, cuts: [])
        let byteByByte = run(bytes, limits: limits, cuts: Array(0..<bytes.count))
        #expect(byteByByte == whole, "byte by byte differs from whole")
        for offset in 0...bytes.count {
            let split = run(bytes, limits: limits, cuts: [offset])
            #expect(split == whole, "split at \(offset) differs from whole")
            if split != whole { break }
        }
        return whole
    }

    /// Asserts the vector's exact outcome under every feed.
    static func check(_ vector: ParserVector) {
        let outcome = outcome(of: vector.bytes, limits: vector.limits)
        #expect(outcome.events == vector.expected)
        #expect(outcome.buffered == vector.buffered)
        if case .failure = vector.expected.last {
            #expect(outcome.reasons.count == 1 && !outcome.reasons[0].isEmpty)
        }
    }
}
