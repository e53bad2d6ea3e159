import HTTPCore
import HTTPServer
import Logging

/// Runs `body` against a real server on 127.0.0.1 and a free port, and shuts the server down afterwards.
func withServer<T>(
    responder: any HTTPResponder = TestResponder(),
    observer: (any HTTPServerObserver)? = nil,
    _ configure: (inout HTTPServerConfiguration) -> Void = { _ in },
    _ body: (HTTPServer) async throws -> T
) async throws -> T {
    var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, eventLoopCount: 2)
    configure(&configuration)
    var logger = Logger(label: "HTTPServerTests")
    logger.logLevel = .warning
    let server = HTTPServer(configuration: configuration, responder: responder, logger: logger, observer: observer)
    try server.start()
    do {
        let result = try await body(server)
        await stop(server)
        return result
    } catch {
        await stop(server)
        throw error
    }
}

func stop(_ server: HTTPServer) async {
    server.beginGracefulShutdown()
    try? await server.run()
}

/// The routes the tests talk to.
struct TestResponder: HTTPResponder {
    func respond(to request: HTTPRequest) async -> HTTPResponse {
        switch request.path {
        case "/hello":
            return .text("hello")
        case "/echo":
            return HTTPResponse(status: .ok, headers: ["X-Method": request.method.rawValue, "Content-Type": "application/octet-stream"], bytes: request.body)
        case "/remote":
            return .text(request.remoteAddress ?? "none")
        case "/slow":
            try? await Task.sleep(for: .milliseconds(300))
            return .text("slow done")
        case "/stream":
            return HTTPResponse(status: .ok, headers: ["Content-Type": "text/plain"], body: .stream { writer in
                for part in ["one ", "two ", "three"] {
                    try await writer.write(Array(part.utf8))
                    await Task.yield()
                }
            })
        case "/bye":
            return HTTPResponse(status: .ok, headers: ["connection": "Close"], bytes: Array("bye".utf8))
        case "/no-content":
            return HTTPResponse(status: .noContent)
        default:
            return .problem(.notFound, "no route for \(request.path)")
        }
    }
}
