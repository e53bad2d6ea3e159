import HTTPCore
import ScanCore

/// `GET /v1/scans`, `GET /v1/scans/{id}` (with `ETag`, `If-None-Match`, `?view=full` and `?wait=` long-polls) and
/// `GET /v1/images/{imageId}/scans`.
struct ScansAPI: Sendable {
    let store: ScanStore
    let longPoll: LongPoll

    func register(on router: inout Router) {
        router.get("/v1/scans", access: .read) { request in await answering { () throws(APIError) in try list(request) } }
        router.get("/v1/scans/{id}", access: .read) { request in
            await answering { () throws(APIError) in try await one(request) }
        }
        router.get("/v1/images/{imageId}/scans", access: .read) { request in
            let scans = store.scans(imageId: request.pathParameters["imageId"] ?? "")
            return .json(ScanJSON.encodeList(scans))
        }
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
