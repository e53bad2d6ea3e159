import HTTPCore

/// `Cache-Control` on every response, so that no shared cache keeps a scan's status and serves it stale
/// (README, "Caching"): `no-cache` where an `ETag` lets a cache revalidate (`GET /v1/scans/{id}` and
/// its `304`s, `GET /openapi.yaml`), `no-store` for everything else — lists, watches, events, webhook answers,
/// health, metrics and every error. A handler that sets its own value keeps it.
struct CacheControlMiddleware: HTTPMiddleware {
    static let revalidate = "no-cache"
    static let never = "no-store"

    func handle(_ request: HTTPRequest, next: any HTTPResponder) async -> HTTPResponse {
        var response = await next.respond(to: request)
        if !response.headers.contains("Cache-Control") {
            response.headers.set("Cache-Control", response.headers.contains("ETag") ? Self.revalidate : Self.never)
        }
        return response
    }
}
