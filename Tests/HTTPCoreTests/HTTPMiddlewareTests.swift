import Testing
@testable import HTTPCore

/// Adds a header to the response and a marker to the request, so tests see the order of the chain.
private struct Tagging: HTTPMiddleware {
    let tag: String
    func handle(_ request: HTTPRequest, next: any HTTPResponder) async -> HTTPResponse {
        var request = request
        request.headers.add("X-Seen", tag)
        var response = await next.respond(to: request)
        response.headers.add("X-Tag", tag)
        return response
    }
}

/// Answers by itself without calling the rest of the chain.
private struct Refusing: HTTPMiddleware {
    func handle(_ request: HTTPRequest, next: any HTTPResponder) async -> HTTPResponse {
        .problem(.unauthorized, "no token")
    }
}

private let echoSeen = ClosureResponder { request in .text(request.headers.values(for: "X-Seen").joined(separator: ",")) }

@Suite struct HTTPMiddlewareTests {
    @Test func lastAddedMiddleware_runsFirst_andSeesTheResponseLast() async {
        let chain = echoSeen.with(Tagging(tag: "inner")).with(Tagging(tag: "outer"))
        let response = await chain.respond(to: HTTPRequest(method: .get, target: "/"))
        guard case .bytes(let body) = response.body else { Issue.record("expected bytes"); return }
        #expect(String(decoding: body, as: UTF8.self) == "outer,inner")
        #expect(response.headers.values(for: "X-Tag") == ["inner", "outer"])
    }

    @Test func middleware_canAnswerWithoutCallingNext() async {
        let chain = echoSeen.with(Tagging(tag: "inner")).with(Refusing())
        let response = await chain.respond(to: HTTPRequest(method: .get, target: "/"))
        #expect(response.status == .unauthorized)
        #expect(response.headers.values(for: "X-Tag").isEmpty)
    }

    @Test func routerBehindMiddleware_stillRoutes() async {
        var router = Router()
        router.get("/x/{id}", access: .open) { .text($0.pathParameters["id"] ?? "") }
        let response = await router.with(Tagging(tag: "t")).respond(to: HTTPRequest(method: .get, target: "/x/7"))
        guard case .bytes(let body) = response.body else { Issue.record("expected bytes"); return }
        #expect(body == Array("7".utf8))
        #expect(response.headers["X-Tag"] == "t")
    }
}

/// What a handler throws is answered once, by the responder's mapping, and the middleware in front see that answer.
@Suite struct HandlerErrorTests {
    struct Gone: Error {}
    struct Unexpected: Error {}

    func router() -> Router {
        var router = Router()
        router.get("/gone", access: .open) { _ in throw Gone() }
        router.get("/broken", access: .open) { _ in throw Unexpected() }
        router.get("/fine", access: .open) { _ in .text("ok") }
        return router
    }

    @Test func aThrownError_IsAnsweredByTheMapping_AndSeenByTheMiddleware() async {
        let responder = router().responder(behind: [Tagging(tag: "logged")]) { error in
            error is Gone ? .problem(HTTPStatus(code: 410), "it went") : Router.internalError(error)
        }
        let gone = await responder.respond(to: HTTPRequest(method: .get, target: "/gone"))
        #expect(gone.status.code == 410)
        #expect(gone.headers.values(for: "X-Tag") == ["logged"])
        let broken = await responder.respond(to: HTTPRequest(method: .get, target: "/broken"))
        #expect(broken.status == .internalServerError)
        #expect(await responder.respond(to: HTTPRequest(method: .get, target: "/fine")).status == .ok)
    }

    @Test func withoutAMapping_AThrownErrorIsA500_ThatSaysNothingOfTheError() async {
        let response = await router().respond(to: HTTPRequest(method: .get, target: "/gone"))
        #expect(response.status == .internalServerError)
        guard case .bytes(let body) = response.body else { Issue.record("expected bytes"); return }
        #expect(!String(decoding: body, as: UTF8.self).contains("Gone"))
    }
}
