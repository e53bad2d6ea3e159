import Foundation
import HTTPCore
import HTTPServer
import Logging

/// A simulated scanner served by our own HTTP server on a real socket.
public protocol FakeUpstream: AnyObject, Sendable {
    var core: FakeUpstreamCore { get }
    /// The provider's routes.
    var router: Router { get }
    /// The path the API lives under (`""`, or OpsMx's `/gate`).
    var basePath: String { get }
}

extension FakeUpstream {
    public var basePath: String { "" }

    /// Starts serving on `host` (port 0: a free port) and returns the base URL to configure the client with.
    @discardableResult
    public func start(host: String = "127.0.0.1", port: Int = 0, logger: Logger = Logger(label: "scanrelay.fake")) async throws -> URL {
        let configuration = HTTPServerConfiguration(host: host, port: port, eventLoopCount: 1, shutdownGrace: .seconds(1))
        let server = HTTPServer(configuration: configuration, responder: router, logger: logger)
        try server.start()
        core.server.withLock { $0 = server }
        let hostText = host.contains(":") ? "[\(host)]" : host
        guard let url = URL(string: "http://\(hostText):\(server.localPort)\(basePath)") else {
            throw URLError(.badURL)
        }
        return url
    }

    /// The OAuth2 token endpoint of a started fake.
    public var tokenURL: URL? {
        core.server.withLock { server in
            server.flatMap { URL(string: "http://127.0.0.1:\($0.localPort)/oauth/token") }
        }
    }

    /// Stops serving; requests in flight may finish. The server is let go here: its router's closures hold `core`,
    /// which holds the server, and that cycle would otherwise outlive the stopped fake.
    public func stop() {
        core.server.withLock { server in
            server?.beginGracefulShutdown()
            server = nil
        }
    }
}
