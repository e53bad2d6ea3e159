/// How the body of a request is delimited (RFC 9112 §6.3), decided once the head is complete.
///
/// Every ambiguity that lets two parsers disagree about where a request ends (request smuggling) is refused here:
/// both `Content-Length` and `Transfer-Encoding`, several `Content-Length` fields (even equal), a length that is not
/// plain digits, `chunked` that is not the last coding, and `Transfer-Encoding` on HTTP/1.0.
enum HTTP1BodyFraming: Equatable {
    /// No `Content-Length` and no `Transfer-Encoding`: the request has no body.
    case none
    case contentLength(Int)
    case chunked

    init(version: HTTPVersion, fields: HTTP1ControlFields, limits: HTTPLimits) throws(HTTP1ParseError) {
        let lengths = fields.contentLengths
        let encodings = fields.transferEncodings
        switch (lengths.isEmpty, encodings.isEmpty) {
        case (true, true):
            self = .none
        case (false, false):
            throw .badRequest("both Content-Length and Transfer-Encoding")
        case (false, true):
            guard lengths.count == 1 else { throw .badRequest("more than one Content-Length") }
            let length = try Self.contentLength(lengths[0])
            guard length <= limits.maxBodyBytes else {
                throw .bodyTooLarge(limit: limits.maxBodyBytes)
            }
            self = .contentLength(length)
        case (true, false):
            guard version == .http1_1 else { throw .badRequest("Transfer-Encoding on HTTP/1.0") }
            try Self.checkCodings(encodings)
            self = .chunked
        }
    }

    /// `1*DIGIT` without sign, spaces or list commas, and without overflowing.
    private static func contentLength(_ text: String) throws(HTTP1ParseError) -> Int {
        var value = 0
        for b in text.utf8 {
            guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { throw .badRequest("invalid Content-Length") }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int(b - UInt8(ascii: "0")))
            guard !o1, !o2 else { throw .badRequest("Content-Length overflows") }
            value = sum
        }
        guard !text.utf8.isEmpty else { throw .badRequest("invalid Content-Length") }
        return value
    }

    /// Accepts exactly one `chunked`, last. Another coding in front of it is understood but not implemented (501);
    /// anything else leaves the body length undeterminable (400, RFC 9112 §6.3).
    private static func checkCodings(_ values: [String]) throws(HTTP1ParseError) {
        var codings: [Substring] = []
        for value in values {
            for element in value.split(separator: ",", omittingEmptySubsequences: false) {
                let coding = element.trimmingASCIISpaces()
                guard !coding.isEmpty, coding.utf8.allSatisfy(HTTPCharacters.isToken) else {
                    throw .badRequest("invalid Transfer-Encoding")
                }
                codings.append(coding)
            }
        }
        guard let last = codings.last, last.equalsIgnoringASCIICase("chunked") else {
            throw .badRequest("chunked is not the final transfer coding")
        }
        guard codings.count == 1 else {
            if codings.dropLast().contains(where: { $0.equalsIgnoringASCIICase("chunked") }) {
                throw .badRequest("chunked applied more than once")
            }
            throw HTTP1ParseError(status: .notImplemented, reason: "transfer coding other than chunked")
        }
    }
}
