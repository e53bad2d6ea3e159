import AppState
import Crypto
import Foundation
import HTTPCore
import StateJournal

/// The open operational endpoints: liveness, readiness, metrics and the served API description.
struct OperationsAPI: Sendable {
    let readiness: Readiness
    let metrics: AppMetrics
    /// Sampled at scrape time: the number of cached scans and watches by state.
    let sampleState: @Sendable () async -> (cachedScans: Int, watchesByState: [String: Int])
    /// The bundled `openapi.yaml`.
    let openAPIDocument: [UInt8]
    /// The `state.dir` journal, if any: not ready while it cannot record, not live once it has failed for good.
    let journal: StateJournal?
    /// Not ready while the state store cannot take changes (the journal cannot write, the database is unreachable).
    let state: any StateStore

    func register(on router: inout Router) {
        router.get("/healthz", access: .open) { _ in healthz() }
        router.get("/readyz", access: .open) { _ in readyz() }
        router.get("/metrics", access: .open) { _ in await metricsText() }
        let etag = Self.entityTag(of: openAPIDocument)
        router.get("/openapi.yaml", access: .open) { request in
            // With an ETag a cache may keep the spec and revalidate it (`Cache-Control: no-cache`).
            if etag.isMatched(byIfNoneMatch: request.headers["If-None-Match"]) {
                return HTTPResponse(status: .notModified, headers: ["ETag": etag.headerValue])
            }
            return HTTPResponse(
                status: .ok, headers: ["Content-Type": "application/yaml", "ETag": etag.headerValue], bytes: openAPIDocument)
        }
    }

    /// A strong tag from the document's bytes: a new build with another spec gets another tag.
    static func entityTag(of document: [UInt8]) -> EntityTag {
        let digest = SHA256.hash(data: document)
        return EntityTag(digest.prefix(16).map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined())
    }

    /// Live unless the journal failed in a way a restart is likelier to cure than waiting (see `JournalHealth`).
    private func healthz() -> HTTPResponse {
        if case .some(.failed) = journal?.health {
            return APIError.unavailable("the state journal \(journal?.health.description ?? "failed")").response
        }
        return .json(Array(#"{"status":"ok"}"#.utf8))
    }

    private func readyz() -> HTTPResponse {
        switch readiness.current {
        case .ready:
            if let reason = state.unavailability {
                return APIError.unavailable(reason, retryAfterSeconds: 10).response
            }
            return .json(Array(#"{"status":"ready"}"#.utf8))
        case .starting: return APIError.unavailable("starting").response
        case .shuttingDown: return APIError.unavailable("shutting down", retryAfterSeconds: 5).response
        }
    }

    private func metricsText() async -> HTTPResponse {
        let state = await sampleState()
        let text = metrics.exposition(
            cachedScans: state.cachedScans, watchesByState: state.watchesByState,
            journal: journal.map { ($0.health, $0.statistics) })
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
