import Foundation
import HTTPCore
import Polling
import Providers
import ScanCore

/// `POST /v1/watches`, `GET /v1/watches`, `GET` and `DELETE /v1/watches/{id}`.
struct WatchesAPI: Sendable {
    let scheduler: WatchScheduler
    /// The provider of each configured source, to say why a ref does not fit.
    let providers: [String: Provider]
    /// Sources that have an upstream and so can be watched.
    let pollableSources: Set<String>
    /// Where a created or cancelled watch is made durable before the answer (the scheduler submits the change).
    let durable: DurableState?

    func register(on router: inout Router) {
        router.post("/v1/watches", access: .write) { request in await answering { () throws(APIError) in try await create(request) } }
        router.get("/v1/watches", access: .read) { request in await answering { () throws(APIError) in try await list(request) } }
        router.get("/v1/watches/{id}", access: .read) { request in
            await answering { () throws(APIError) in
                guard let watch = await scheduler.watch(id: request.pathParameters["id"] ?? "") else {
                    throw APIError(.notFound, "no watch \(request.pathParameters["id"] ?? "")")
                }
                return .json(encoding: watch)
            }
        }
        router.delete("/v1/watches/{id}", access: .write) { request in
            await answering { () throws(APIError) in
                try durable?.ensureRecording("the cancellation")
                guard let watch = await scheduler.cancel(id: request.pathParameters["id"] ?? "") else {
                    throw APIError(.notFound, "no watch \(request.pathParameters["id"] ?? "")")
                }
                try await durable?.waitUntilDurable(or: "the cancellation")
                return .json(encoding: watch)
            }
        }
    }

    private func create(_ request: HTTPRequest) async throws(APIError) -> HTTPResponse {
        let watchRequest = try WatchRequestBody.parse(
            request.body, providers: providers, pollableSources: pollableSources)
        // Refused up front while the journal cannot write, rather than kept in memory only.
        try durable?.ensureRecording("the watch")
        let watch: Watch
        do {
            watch = try await scheduler.add(watchRequest)
        } catch {
            switch error {
            case .unknownSource(let name):
                throw .unprocessable("source '\(name)' is not configured with an upstream to poll", field: "source")
            case .refDoesNotFitProvider:
                throw .unprocessable(error.description, field: "ref")
            case .tooManyWatches:
                throw .unavailable(error.description, retryAfterSeconds: 60)
            }
        }
        try await durable?.waitUntilDurable(or: "the watch")
        return .json(encoding: watch, status: .created, headers: ["Location": "/v1/watches/\(watch.id)"])
    }

    private func list(_ request: HTTPRequest) async throws(APIError) -> HTTPResponse {
        let query = try request.parsedQuery()
        let page = try PageParameters(query)
        var state: Watch.State?
        if let text = query["state"] {
            guard let parsed = Watch.State(rawValue: text) else {
                let valid = Watch.State.allCases.map(\.rawValue).joined(separator: ", ")
                throw .badRequest("state must be one of \(valid)", field: "state")
            }
            state = parsed
        }
        guard let result = await scheduler.list(state: state, limit: page.limit, pageToken: page.pageToken) else {
            throw .badRequest("pageToken is not one this server issued", field: "pageToken")
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
