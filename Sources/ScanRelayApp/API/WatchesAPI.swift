import AppState
import Foundation
import HTTPCore
import Polling
import Providers
import ScanCore

/// `POST /v1/watches`, `GET /v1/watches`, `GET` and `DELETE /v1/watches/{id}`.
struct WatchesAPI: Sendable {
    let watches: any WatchDirectory
    /// The provider of each configured source, to say why a ref does not fit.
    let providers: [String: Provider]
    /// Sources that have an upstream and so can be watched.
    let pollableSources: Set<String>
    /// Where a created or cancelled watch is recorded before the answer (the scheduler reports the change to it).
    let state: any StateStore

    func register(on router: inout Router) {
        router.post("/v1/watches", access: .write) { request in try await create(request) }
        router.get("/v1/watches", access: .read) { request in try await list(request) }
        router.get("/v1/watches/{id}", access: .read) { request in
            guard let watch = try await watches.watch(id: request.pathParameters["id"] ?? "") else {
                throw APIError(.notFound, "no watch \(request.pathParameters["id"] ?? "")")
            }
            return .json(encoding: watch)
        }
        router.delete("/v1/watches/{id}", access: .write) { request in
            try state.ensureWritable("the cancellation")
            guard let watch = try await watches.cancel(id: request.pathParameters["id"] ?? "") else {
                throw APIError(.notFound, "no watch \(request.pathParameters["id"] ?? "")")
            }
            try await state.waitUntilRecorded("the cancellation")
            return .json(encoding: watch)
        }
    }

    private func create(_ request: HTTPRequest) async throws -> HTTPResponse {
        let watchRequest = try WatchRequestBody.parse(
            request.body, providers: providers, pollableSources: pollableSources)
        // Refused up front while the state cannot be written, rather than kept in memory only.
        try state.ensureWritable("the watch")
        let watch: Watch
        do {
            watch = try await watches.add(watchRequest)
        } catch let error as WatchError {
            switch error {
            case .unknownSource(let name):
                throw APIError.unprocessable("source '\(name)' is not configured with an upstream to poll", field: "source")
            case .refDoesNotFitProvider:
                throw APIError.unprocessable(error.description, field: "ref")
            case .tooManyWatches:
                throw APIError.unavailable(error.description, retryAfterSeconds: 60)
            }
        }
        try await state.waitUntilRecorded("the watch")
        return .json(encoding: watch, status: .created, headers: ["Location": "/v1/watches/\(watch.id)"])
    }

    private func list(_ request: HTTPRequest) async throws -> HTTPResponse {
        let query = try request.parsedQuery()
        let page = try PageParameters(query)
        var state: Watch.State?
        if let text = query["state"] {
            guard let parsed = Watch.State(rawValue: text) else {
                let valid = Watch.State.allCases.map(\.rawValue).joined(separator: ", ")
                throw APIError.badRequest("state must be one of \(valid)", field: "state")
            }
            state = parsed
        }
        guard let result = try await watches.list(state: state, limit: page.limit, pageToken: page.pageToken) else {
            throw APIError.badRequest("pageToken is not one this server issued", field: "pageToken")
        }
        return .json(encoding: WatchList(watches: result.watches, nextPageToken: result.nextPageToken))
    }
}

/// `{"watches": [...], "nextPageToken"?}`: the key is absent on the last page.
private struct WatchList: Encodable {
    var watches: [Watch]
    var nextPageToken: String?

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(watches, forKey: .watches)
        try container.encodeIfPresent(nextPageToken, forKey: .nextPageToken)
    }

    private enum CodingKeys: String, CodingKey { case watches, nextPageToken }
}
