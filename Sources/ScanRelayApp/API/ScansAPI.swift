import HTTPCore
import ScanCore

/// `GET /v1/scans`, `GET /v1/scans/{id}` (with `ETag`, `If-None-Match`, `?view=full` and `?wait=` long-polls) and
/// `GET /v1/images/{imageId}/scans`.
struct ScansAPI: Sendable {
    let store: ScanStore
    let indexes: ImageIndexTable
    let longPoll: LongPoll

    func register(on router: inout Router) {
        router.get("/v1/scans", access: .read) { request in await answering { () throws(APIError) in try list(request) } }
        router.get("/v1/scans/{id}", access: .read) { request in
            await answering { () throws(APIError) in try await one(request) }
        }
        router.get("/v1/images/{imageId}/scans", access: .read) { request in image(request.pathParameters["imageId"] ?? "") }
    }

    /// An image's scans, newest first. A multi-arch index learned from polling answers with its children's scans
    /// (and its own, should it have any) and names the children in `index.children`, so a client can tell whether
    /// every child has a verdict yet.
    private func image(_ imageId: String) -> HTTPResponse {
        guard let index = indexes.index(imageId) else { return .json(ScanJSON.encodeList(store.scans(imageId: imageId))) }
        let scans = ([imageId] + index.children).flatMap { store.scans(imageId: $0) }
            .sorted { $0.createdAt != $1.createdAt ? $0.createdAt > $1.createdAt : $0.id < $1.id }
        return .json(ScanJSON.encodeList(scans, index: index))
    }

    private func list(_ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        let query = try ScanListParameters.parse(try request.parsedQuery())
        let page: ScanPage
        do {
            page = try store.list(query)
        } catch {
            throw .badRequest("pageToken is not one this server issued", field: "pageToken")
        }
        return .json(ScanJSON.encodeList(page.scans, nextPageToken: page.nextPageToken))
    }

    private func one(_ request: HTTPRequest) async throws(APIError) -> HTTPResponse {
        let id = request.pathParameters["id"] ?? ""
        let query = try request.parsedQuery()
        let view: ScanJSON.View
        switch query["view"] {
        case nil, "summary": view = .summary
        case "full": view = .full
        default: throw .badRequest("view must be summary or full", field: "view")
        }
        var wait: Duration?
        if let text = query["wait"] {
            guard let duration = WaitDuration.parse(text) else {
                throw .badRequest("wait must be an integer and a unit (ms, s, m, h), e.g. 30s", field: "wait")
            }
            wait = duration
        }
        guard let current = store.scan(id: id) else { throw APIError(.notFound, "no scan \(id)") }
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
            HTTPResponse(status: .notModified, headers: ["ETag": EntityTag.make(revision: scan.revision)])
        case .scan(let scan):
            .json(ScanJSON.encode(scan, view: view), headers: ["ETag": EntityTag.make(revision: scan.revision)])
        }
    }
}
