import HTTPCore
import Logging

/// One info line per request: id, method, path without the query (queries may carry page tokens and ids users
/// consider private), status and duration. Headers are never logged, so neither is `Authorization`.
struct AccessLogMiddleware: HTTPMiddleware {
    let logger: Logger

    func handle(_ request: HTTPRequest, next: any HTTPResponder) async -> HTTPResponse {
        let clock = ContinuousClock()
        let start = clock.now
        let response = await next.respond(to: request)
        let elapsed = start.duration(to: clock.now)
        logger.info(
            "request",
            metadata: [
                "request_id": .string(request.headers[RequestID.headerName] ?? "-"),
                "method": .string(request.method.rawValue),
                "path": .string(String(request.path)),
                "status": .stringConvertible(response.status.code),
                "duration_ms": .string(Self.milliseconds(elapsed)),
            ]
        )
        return response
    }

    /// Milliseconds with three decimals, e.g. `0.412`.
    static func milliseconds(_ duration: Duration) -> String {
        let micros = duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
        let whole = micros / 1000, fraction = micros % 1000
        let fractionText = String(fraction)
        return "\(whole)." + String(repeating: "0", count: 3 - fractionText.count) + fractionText
    }
}
