import AppState
import HTTPCore
import ScanCore

/// `GET /v1/scans`, `GET /v1/scans/{id}` (with `ETag`, `If-None-Match`, `?view=full` and `?wait=` long-polls) and
/// `GET /v1/images/{imageId}/scans`.
struct ScansAPI: Sendable {
    let state: any StateStore
    let indexes: ImageIndexTable
    let longPoll: LongPoll

    func register(on router: inout Router) {
        router.get("/v1/scans", access: .read) { request in
            try await list(request)
        }
        router.get("/v1/scans/{id}", access: .read) { request in
            try await one(request)
        }
        router.get("/v1/images/{imageId}/scans", access: .read) { request in
            try await image(request.pathParameters["imageId"] ?? "")
        }
    }

    /// An image's scans, newest first. A multi-arch index learned from polling answers with its children's scans
    /// (and its own, should it have any) and names the children in `index.children`, so a client can tell whether
    /// every child has a verdict yet.
    private func image(_ imageId: String) async throws -> HTTPResponse {
        guard let index = indexes.index(imageId) else {
            return .json(ScanJSON.encodeList(try await state.scans(imageId: imageId)))
        }
        var scans: [Scan] = []
        for id in [imageId] + index.children { scans += try await state.scans(imageId: id) }
        return .json(ScanJSON.encodeList(Self.newestFirst(scans), index: index))
    }

    private static func newestFirst(_ scans: [Scan]) -> [Scan] {
        scans.sorted { $0.createdAt != $1.createdAt ? $0.createdAt > $1.createdAt : $0.id < $1.id }
    }

    private func list(_ request: HTTPRequest) async throws -> HTTPResponse {
        let query = try ScanListParameters.parse(try request.parsedQuery())
        let page = try await state.list(query)
        return .json(ScanJSON.encodeList(page.scans, nextPageToken: page.nextPageToken))
    }

    private func one(_ request: HTTPRequest) async throws -> HTTPResponse {
        let id = request.pathParameters["id"] ?? ""
        let query = try request.parsedQuery()
        let view: ScanJSON.View
        switch query["view"] {
        case nil, "summary": view = .summary
        case "full": view = .full
        default: throw APIError.badRequest("view must be summary or full", field: "view")
        }
        var wait: Duration?
        if let text = query["wait"] {
            guard let duration = WaitDuration.parse(text) else {
                throw APIError.badRequest("wait must be an integer and a unit (ms, s, m, h), e.g. 30s", field: "wait")
            }
            wait = duration
        }
        guard let current = try await state.scan(id: id, includingRaw: view == .full) else { throw APIError(.notFound, "no scan \(id)") }
        let ifNoneMatch = request.headers["If-None-Match"]
        let answer =
            if let wait {
                try await longPoll.answer(for: current, ifNoneMatch: ifNoneMatch, wait: wait)
            } else {
                LongPoll.Answer.immediate(current, ifNoneMatch: ifNoneMatch)
            }
        return Self.response(answer, view: view)
    }

    private static func response(_ answer: LongPoll.Answer, view: ScanJSON.View) -> HTTPResponse {
        switch answer {
        case .notModified(let scan):
            HTTPResponse(status: .notModified, headers: ["ETag": EntityTag(of: scan).headerValue])
        case .scan(let scan):
            .json(ScanJSON.encode(scan, view: view), headers: ["ETag": EntityTag(of: scan).headerValue])
        }
    }
}
