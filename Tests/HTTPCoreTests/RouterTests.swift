import Testing
@testable import HTTPCore

/// A router whose handlers echo which route ran and with which parameters.
private func makeRouter() -> Router {
    var router = Router()
    func echo(_ name: String) -> @Sendable (HTTPRequest) async -> HTTPResponse {
        { request in
            let parameters = request.pathParameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            return .text(([name] + parameters).joined(separator: " "))
        }
    }
    router.get("/healthz", access: .open, echo("healthz"))
    router.get("/v1/scans", access: .open, echo("list"))
    router.get("/v1/scans/{id}", access: .open, echo("scan"))
    router.get("/v1/scans/stats", access: .open, echo("stats"))
    router.get("/v1/scans/{id}/events", access: .open, echo("events"))
    router.post("/v1/watches", access: .open, echo("create-watch"))
    router.get("/v1/watches/{watchId}", access: .open, echo("get-watch"))
    router.delete("/v1/watches/{id}", access: .open, echo("delete-watch"))
    router.put("/v1/things/{a}/{b}", access: .open, echo("put-thing"))
    router.patch("/v1/things/{a}/{b}", access: .open, echo("patch-thing"))
    router.post("/v1/webhooks/{source}", access: .open, echo("webhook"))
    router.get("/", access: .open, echo("root"))
    return router
}

private func send(_ method: HTTPMethod, _ target: String, to router: Router = makeRouter()) async -> (status: Int, body: String, headers: HTTPHeaders) {
    let response = await router.respond(to: HTTPRequest(method: method, target: target))
    guard case .bytes(let bytes) = response.body else {
        Issue.record("router answers with whole bodies")
        return (response.status.code, "", response.headers)
    }
    return (response.status.code, String(decoding: bytes, as: UTF8.self), response.headers)
}

@Suite struct RouterTests {
    @Test(arguments: [
        ("/healthz", "healthz"),
        ("/", "root"),
        ("/v1/scans", "list"),
        ("/v1/scans?limit=5", "list"),
        ("/v1/scans/binarly:abc", "scan id=binarly:abc"),
        ("/v1/scans/opsmx%3Ap%2Fimage%2Fs1", "scan id=opsmx:p/image/s1"),
        ("/v1/scans/a%20b?x=1", "scan id=a b"),
        ("/v1/scans/stats", "stats"),
        ("/v1/scans/stats/events", "events id=stats"),
        ("/v1/scans/x/events", "events id=x"),
        ("/v1/sc%61ns", "list"),
        ("/v1/watches/w-1", "get-watch watchId=w-1"),
    ])
    func get_reachesTheMatchingRoute_withDecodedParameters(target: String, expected: String) async {
        let answer = await send(.get, target)
        #expect(answer.status == 200)
        #expect(answer.body == expected)
    }

    @Test func methods_eachReachTheirOwnRoute_withTheirOwnParameterNames() async {
        #expect(await send(.delete, "/v1/watches/w-1").body == "delete-watch id=w-1")
        #expect(await send(.post, "/v1/watches").body == "create-watch")
        #expect(await send(.put, "/v1/things/1/2").body == "put-thing a=1 b=2")
        #expect(await send(.patch, "/v1/things/1/2").body == "patch-thing a=1 b=2")
        #expect(await send(.post, "/v1/webhooks/harbor").body == "webhook source=harbor")
    }

    @Test func head_isServedByTheGetRoute() async {
        let answer = await send(.head, "/v1/scans/abc")
        #expect(answer.status == 200)
        #expect(answer.body == "scan id=abc")
    }

    @Test(arguments: [
        ("/nope", 404),
        ("/v1", 404),
        ("/v1/scans/", 404),
        ("/v1/scans//events", 404),
        ("/v1/scans/a/b", 404),
        ("/healthz/", 404),
        ("/v1/scans/%zz", 400),
        ("/v1/scans/%4", 400),
        ("/v1/scans/%", 400),
        ("/v1/scans/%FF", 400),
    ])
    func unknownOrMalformedPath_isAProblem(target: String, status: Int) async {
        let answer = await send(.get, target)
        #expect(answer.status == status)
        #expect(answer.headers["Content-Type"] == "application/problem+json")
        #expect(answer.body.contains("\"status\":\(status)"))
    }

    @Test func knownPathWithOtherMethod_is405_withSortedAllowIncludingHead() async {
        let answer = await send(.post, "/v1/scans/abc")
        #expect(answer.status == 405)
        #expect(answer.headers["Allow"] == "GET, HEAD")
        #expect(answer.headers["Content-Type"] == "application/problem+json")
        let watch = await send(.put, "/v1/watches/w")
        #expect(watch.headers["Allow"] == "DELETE, GET, HEAD")
        let things = await send(.get, "/v1/things/1/2")
        #expect(things.headers["Allow"] == "PATCH, PUT")
        let create = await send(.options, "/v1/watches")
        #expect(create.status == 405)
        #expect(create.headers["Allow"] == "POST")
    }

    @Test(arguments: ["TRACE", "CONNECT", "PURGE", "get"])
    func methodImplementedNowhere_is501_evenOnAnUnknownPath(method: String) async {
        #expect(await send(HTTPMethod(method), "/v1/scans").status == 501)
        #expect(await send(HTTPMethod(method), "/nowhere").status == 501)
    }

    @Test func route_namesTheMatchedPattern_once_forMetricsAndLogs() {
        let router = makeRouter()
        func pattern(_ method: HTTPMethod, _ target: String) -> String? {
            router.route(HTTPRequest(method: method, target: target)).matchedRoute?.pattern
        }
        #expect(pattern(.get, "/v1/scans/abc?wait=5s") == "/v1/scans/{id}")
        #expect(pattern(.get, "/v1/scans/stats") == "/v1/scans/stats")
        #expect(pattern(.post, "/v1/watches") == "/v1/watches")
        #expect(pattern(.delete, "/v1/watches/x") == "/v1/watches/{watchId}")
        #expect(pattern(.get, "/missing") == nil)
        #expect(pattern(.get, "/v1/scans/%zz") == nil)
    }

    @Test func route_carriesTheAccessDeclaredAtRegistration_whateverTheEncodingOfThePath() {
        var router = Router()
        router.get("/v1/scans", access: .scope("read")) { _ in .text("list") }
        router.post("/v1/watches", access: .scope("write")) { _ in .text("create") }
        router.delete("/v1/watches/{id}", access: .scope("write")) { _ in .text("delete") }
        router.post("/v1/webhooks/{source}", access: .verifiedByHandler) { _ in .text("hook") }
        router.get("/healthz", access: .open) { _ in .text("ok") }
        func access(_ method: HTTPMethod, _ target: String) -> RouteAccess? {
            router.route(HTTPRequest(method: method, target: target)).matchedRoute?.access
        }
        // Every spelling of one route is that route: the decision never depends on the raw bytes.
        for target in ["/v1/scans", "/%761/scans", "/v1/%73cans", "/%76%31/%73%63%61%6E%73", "/v1/scans?x=/healthz"] {
            #expect(access(.get, target) == .scope("read"), "\(target)")
            #expect(access(.head, target) == .scope("read"), "HEAD \(target)")
        }
        for target in ["/v1/watches", "/%761/watches", "/v1/%77atches", "/v1/w%61tches"] {
            #expect(access(.post, target) == .scope("write"), "\(target)")
        }
        #expect(access(.delete, "/v1/%77atches/w1") == .scope("write"))
        #expect(access(.post, "/v1/%77ebhooks/x") == .verifiedByHandler)
        #expect(access(.get, "/%68ealthz") == .open)
        // Unmatched requests carry no access: the router answers them itself and no handler runs.
        #expect(access(.get, "/v1/%77atches") == nil)
        #expect(access(.get, "/v2/scans") == nil)
    }

    @Test func respond_runsNoHandler_forARefusedRequest() async {
        #expect(await send(.put, "/v1/scans").status == 405)
        #expect(await send(.get, "/v1/%zz").status == 400)
        #expect(await send(.get, "/nowhere").body.contains("nowhere") == false)
    }

    @Test func optionsAsterisk_listsTheImplementedMethods_andAsteriskIsNoPathOtherwise() async {
        let options = await send(.options, "*")
        #expect(options.status == 204)
        #expect(options.headers["Allow"] == "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT")
        #expect(await send(.get, "*").status == 400)
        #expect(await send(.get, "v1/scans").status == 400)
    }

    @Test func emptyRouter_answers404() async {
        #expect(await send(.get, "/", to: Router()).status == 404)
    }

    @Test(arguments: [
        ("/", [String]()), ("/a", ["a"]), ("/a/b", ["a", "b"]), ("/a/", ["a", ""]), ("//", ["", ""]),
        ("/a//b", ["a", "", "b"]), ("/é/ü", ["é", "ü"]), ("a/b", []), ("", []),
    ])
    func pathSegments_SplitAtEverySlash_WithoutDecoding(_ path: String, _ expected: [String]) {
        var segments = PathSegments(path[...]), found: [String] = []
        while let segment = segments.next() { found.append(String(segment)) }
        #expect(found == expected)
    }
}
