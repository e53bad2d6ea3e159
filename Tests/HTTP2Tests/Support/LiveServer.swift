import ChildProcesses
import Foundation
import HTTPCore
import HTTPServer
import Logging

/// The real server on 127.0.0.1 and a free port, for real HTTP/2 clients; shut down gracefully afterwards.
func withLiveServer<T>(
    responder: any HTTPResponder = LiveRoutes(),
    observer: (any HTTPServerObserver)? = nil,
    _ configure: (inout HTTPServerConfiguration) -> Void = { _ in },
    _ body: (HTTPServer) async throws -> T
) async throws -> T {
    var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, eventLoopCount: 2, shutdownGrace: .seconds(5))
    configure(&configuration)
    var logger = Logger(label: "HTTP2Tests")
    logger.logLevel = .warning
    let server = HTTPServer(configuration: configuration, responder: responder, logger: logger, observer: observer)
    try server.start()
    defer { server.beginGracefulShutdown() }
    let result = try await body(server)
    server.beginGracefulShutdown()
    try await server.run()
    return result
}

/// The routes the client scripts expect (Scripts/h2_client.py).
struct LiveRoutes: HTTPResponder {
    /// Opened when `/endless` sees its `write` throw (the client reset the stream).
    var endlessStopped = Gate()
    /// `/hold` opens `holdArrived`, then waits for `holdRelease`.
    var holdArrived = Gate()
    var holdRelease = Gate()
    /// Leave out what legitimately differs between the protocols (the version echo), for side-by-side comparisons.
    var versionBlind = false

    static let big = (0..<(1024 * 1024)).map { UInt8($0 % 251) }

    func respond(to request: HTTPRequest) async -> HTTPResponse {
        switch request.path {
        case "/hello":
            return .text("hello")
        case "/echo":
            var headers: HTTPHeaders = ["Content-Type": "application/octet-stream", "X-Method": request.method.rawValue]
            if !versionBlind { headers.add("X-Version", request.version.description) }
            return HTTPResponse(headers: headers, bytes: request.body)
        case "/big":
            return HTTPResponse(headers: ["Content-Type": "application/octet-stream"], bytes: Self.big)
        case "/endless":
            return HTTPResponse(body: .stream { [endlessStopped] writer in
                let chunk = [UInt8](repeating: 0x2E, count: 16 * 1024)
                do {
                    while true { try await writer.write(chunk) }
                } catch {
                    endlessStopped.open()
                    throw error
                }
            })
        case "/hold":
            holdArrived.open()
            await holdRelease.wait()
            return .text("held")
        case let path where path.hasPrefix("/id/"):
            return .text(String(path))
        default:
            return .problem(.notFound, "no route for \(request.path)")
        }
    }
}

/// A finished child process: exit status and what it printed.
struct ProcessResult {
    var status: Int32
    var output: String
}

/// Runs a tool (found in PATH) to completion without blocking the test's thread; stdout and stderr are collected
/// together, in order.
func runTool(_ arguments: [String], input: Data? = nil) async throws -> ProcessResult {
    let result = try await ChildProcess.run(arguments[0], Array(arguments.dropFirst()), input: input, mergingErrors: true)
    return ProcessResult(status: result.status, output: result.stdout)
}

/// Scripts/h2_client.py, found beside this test target's sources.
let h2ClientScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Scripts/h2_client.py").path
