import HTTPCore
import Synchronization

/// The id of the request being handled, for log lines written anywhere below the middleware chain.
enum RequestID {
    @TaskLocal static var current: String?

    static let headerName = "X-Request-Id"
    static let maxLength = 128

    /// A client's id is kept when it is short and made of token characters only: it ends up in log lines and
    /// response headers, where anything else could forge fields or break the header.
    static func isAcceptable(_ candidate: String) -> Bool {
        guard !candidate.isEmpty, candidate.utf8.count <= maxLength else { return false }
        return candidate.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"):
                true
            case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"), UInt8(ascii: ":"),
                UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "="):
                true
            default:
                false
            }
        }
    }

    /// 32 lowercase hex digits, unique within the process: a request counter sent through SplitMix64's finalizer (a
    /// bijection of 64-bit words) under two keys drawn once at start. Ids only correlate log lines and responses, so
    /// they need uniqueness, not secrecy; drawing 128 fresh random bits per request cost two `getrandom` system
    /// calls on every request (Swift's generator makes one per word). The keys keep ids of different processes
    /// apart and keep the counter from showing through. Written into the string's storage directly (formatting with
    /// `String(_:radix:)` and padding cost several thousand instructions).
    static func make() -> String {
        let count = counter.add(1, ordering: .relaxed).newValue
        let high = mix(count ^ keys.high), low = mix(count ^ keys.low)
        return String(unsafeUninitializedCapacity: 32) { buffer in
            for index in 0..<32 {
                let word = index < 16 ? high : low
                let digit = UInt8(truncatingIfNeeded: word >> (60 - 4 * (index % 16))) & 0x0F
                buffer[index] = digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10
            }
            return 32
        }
    }

    private static let counter = Atomic<UInt64>(0)
    private static let keys: (high: UInt64, low: UInt64) = {
        var generator = SystemRandomNumberGenerator()
        return (generator.next(), generator.next())
    }()

    /// SplitMix64's output function: every step (xor-shift, odd multiply) is invertible, so distinct inputs give
    /// distinct outputs, and each input bit reaches every output bit.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

/// Gives every request an id (the client's `X-Request-Id` when acceptable) and returns it on every response.
struct RequestIDMiddleware: HTTPMiddleware {
    func handle(_ request: HTTPRequest, next: any HTTPResponder) async -> HTTPResponse {
        let id = request.headers[RequestID.headerName].flatMap { RequestID.isAcceptable($0) ? $0 : nil } ?? RequestID.make()
        var request = request
        request.headers.set(RequestID.headerName, id)
        var response = await RequestID.$current.withValue(id) { await next.respond(to: request) }
        response.headers.set(RequestID.headerName, id)
        return response
    }
}
