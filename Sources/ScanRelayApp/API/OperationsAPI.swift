import Foundation
import HTTPCore

/// The open operational endpoints: liveness, readiness, metrics and the served API description.
struct OperationsAPI: Sendable {
    let readiness: Readiness
    let metrics: AppMetrics
    /// Sampled at scrape time: the number of cached scans and watches by state.
    let sampleState: @Sendable () async -> (cachedScans: Int, watchesByState: [String: Int])
    /// The bundled `openapi.yaml`.
    let openAPIDocument: [UInt8]

    func register(on router: inout Router) {
        router.get("/healthz", access: .open) { _ in .json(Array(#"{"status":"ok"}"#.utf8)) }
        router.get("/readyz", access: .open) { _ in readyz() }
        router.get("/metrics", access: .open) { _ in await metricsText() }
        router.get("/openapi.yaml", access: .open) { _ in
            HTTPResponse(status: .ok, headers: ["Content-Type": "application/yaml"], bytes: openAPIDocument)
        }
    }

    private func readyz() -> HTTPResponse {
        switch readiness.current {
        case .ready: .json(Array(#"{"status":"ready"}"#.utf8))
        case .starting: APIError.unavailable("starting").response
        case .shuttingDown: APIError.unavailable("shutting down", retryAfterSeconds: 5).response
        }
    }

    private func metricsText() async -> HTTPResponse {
        let state = await sampleState()
        let text = metrics.exposition(cachedScans: state.cachedScans, watchesByState: state.watchesByState)
        return HTTPResponse(
            status: .ok, headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"], bytes: text)
    }
}

/// The API description bundled with the module (a copy of the repository's top-level `openapi.yaml`).
enum OpenAPIDocument {
    static func load() throws -> [UInt8] {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml") else {
            throw CocoaError(.fileNoSuchFile)
        }
        return Array(try Data(contentsOf: url))
    }
}
