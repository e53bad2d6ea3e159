import HTTPCore

/// Counts requests and times them, labelled by route pattern (`/v1/scans/{id}`), never the raw path: raw paths
/// would give every scan id its own time series.
struct HTTPMetricsMiddleware: HTTPMiddleware {
    let metrics: AppMetrics
    let router: Router

    func handle(_ request: HTTPRequest, next: any HTTPResponder) async -> HTTPResponse {
        let clock = ContinuousClock()
        let start = clock.now
        let response = await next.respond(to: request)
        let route = router.routePattern(for: request) ?? "unmatched"
        metrics.recordRequest(
            route: route, method: request.method.rawValue, status: response.status.code,
            duration: start.duration(to: clock.now))
        return response
    }
}
