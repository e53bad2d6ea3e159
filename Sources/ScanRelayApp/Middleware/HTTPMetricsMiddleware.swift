import HTTPCore

/// Counts requests and times them, labelled by the matched route's pattern (`/v1/scans/{id}`), never the raw path:
/// raw paths would give every scan id its own time series.
struct HTTPMetricsMiddleware: HTTPMiddleware {
    let metrics: AppMetrics

    func handle(_ request: HTTPRequest, next: any HTTPResponder) async -> HTTPResponse {
        let clock = ContinuousClock()
        let start = clock.now
        let response = await next.respond(to: request)
        metrics.recordRequest(
            route: request.matchedRoute?.pattern ?? "unmatched", method: request.method.rawValue,
            status: response.status.code, duration: start.duration(to: clock.now))
        return response
    }
}
