import HTTP2
import HTTPCore

/// HTTP/1.1 on one connection: parses requests, runs each handler as a task on the connection's loop, and writes
/// the responses strictly in request order, one at a time (pipelined requests wait in a short queue).
final class HTTP1Handler: ConnectionProtocolHandler {
    private enum Pending {
        case request(HTTPRequest, keepAlive: Bool)
        case sendContinue
        case failure(HTTP1ParseError)
        case upgrade(HTTPRequest, any ConnectionProtocolHandler)
    }

    /// The request being answered.
    private struct Exchange {
        let id: UInt64
        let isHead: Bool
        let version: HTTPVersion
        var keepAlive: Bool
        var chunked = false
        /// A streamed body's `maxUnsentBodyBytes`: its writes never suspend, and one past it closes the connection.
        var unsentLimit: Int?
    }

    let protocolName = "http/1.1"
    /// Strong: the connection drops its handler when it closes, which breaks the cycle.
    private let connection: Connection
    private let responder: any HTTPResponder
    private let configuration: HTTPServerConfiguration
    private var parser: HTTP1Parser
    private var pending: [Pending] = []
    private var exchange: Exchange?
    private var lastExchangeID: UInt64 = 0
    /// The handler's task, then the body producer's: cancelled when the connection goes away.
    private var task: Task<Void, Never>?
    private var suspendedWriter: CheckedContinuation<Void, any Error>?
    /// False once nothing more will be parsed: after a parse error, a request that closes, or the peer's FIN.
    private var parsing = true
    /// Non-nil while an accepted h2c upgrade waits its turn: the bytes after it belong to HTTP/2.
    private var upgradeBytes: [UInt8]?
    /// The server's shutdown flag, read rather than copied: it is set before the loops hear of the shutdown, so a
    /// response finished in between already says `Connection: close`.
    private var shuttingDown: Bool { connection.loop.context.shutdownBegun.load(ordering: .acquiring) }
    private var startedAnyRequest = false

    /// Scratch buffers larger than this are not kept for the next response.
    private static let retainedScratchCapacity = 256 * 1024

    init(connection: Connection, responder: any HTTPResponder, configuration: HTTPServerConfiguration) {
        self.connection = connection
        self.responder = responder
        self.configuration = configuration
        parser = HTTP1Parser(limits: configuration.limits)
    }

    var readingState: ConnectionDeadlines<ContinuousClock.Instant>.Reading {
        if exchange != nil || !pending.isEmpty || upgradeBytes != nil || !parsing { return .busy }
        switch parser.phase {
        case .idle: return startedAnyRequest ? .awaitingRequest : .head
        case .head: return .head
        case .body: return .body
        }
    }

    /// Reading pauses while pipelined requests queue up, and once nothing more will be parsed (what a peer sends
    /// then is drained only when the connection lingers on close).
    /// Reading also pauses while the peer is behind on reading answers, and queued requests wait to be started (see
    /// `processNext`): a client that pipelines requests and never reads must not make the server queue answers
    /// without bound.
    var wantsInput: Bool {
        parsing && pending.count < configuration.maxPipelinedRequests && !outputBacklogged
    }

    private var outputBacklogged: Bool { connection.outboundBytes > configuration.outboundHighWaterMark }

    // MARK: Input

    func receive(_ bytes: UnsafeRawBufferPointer) {
        if upgradeBytes != nil {
            upgradeBytes!.append(contentsOf: bytes)
            if upgradeBytes!.count > configuration.limits.maxHeaderBytes { connection.close() }
            return
        }
        guard parsing else { return }
        parser.consume(bytes) { self.parsed($0) }
        if parser.isPaused { pausedForUpgrade() }
        processNext()
    }

    private func parsed(_ output: HTTP1Parser.Output) {
        guard parsing else { return }
        switch output {
        case .request(let request):
            let keepAlive = request.wantsKeepAlive
            pending.append(.request(request, keepAlive: keepAlive))
            // Nothing after a request that closes the connection is answered, so nothing after it is parsed.
            if !keepAlive { parsing = false }
        case .expectContinue:
            pending.append(.sendContinue)
        case .failure(let error):
            pending.append(.failure(error))
            parsing = false
        }
    }

    /// The parser stopped after a request with `Upgrade: h2c`: switch if HTTP/2 is plugged in, else answer it as
    /// HTTP/1.1 (a server may ignore `Upgrade`, RFC 9110 §7.8) and parse on.
    private func pausedForUpgrade() {
        let rest = parser.takeBufferedBytes()
        if case .request(let request, _)? = pending.last, let http2 = connection.makeHTTP2Handler(upgradeRequest: request) {
            pending[pending.count - 1] = .upgrade(request, http2)
            upgradeBytes = rest
            return
        }
        parser = HTTP1Parser(limits: configuration.limits)
        if !rest.isEmpty { rest.withUnsafeBytes { receive($0) } }
    }

    func inputEnded() {
        // A request cut off by the FIN is abandoned; complete ones already queued are still answered.
        parsing = false
        processNext()
    }

    // MARK: Requests in order

    /// Starts queued requests one at a time while the peer keeps up with the answers; once the unsent output is
    /// above the high-water mark the next request waits for `outputDrained`, so what the server holds for a slow
    /// reader is one high-water mark plus one response, however many requests one read brought.
    private func processNext() {
        while exchange == nil, !connection.isClosed, !pending.isEmpty, !outputBacklogged {
            switch pending.removeFirst() {
            case .sendContinue:
                connection.send(HTTP1ResponseEncoder.continueResponse)
            case .failure(let error):
                var request = error.head
                request?.remoteAddress = connection.remoteAddress
                let early = request.flatMap { responder.answerBeforeBody(to: $0) }
                respondAndClose(early ?? .problem(error.status, error.reason))
            case .request(let request, let keepAlive):
                start(request, keepAlive: keepAlive)
            case .upgrade(_, let http2):
                connection.send(HTTP2Upgrade.switchingProtocols)
                let bytes = upgradeBytes ?? []
                upgradeBytes = nil
                connection.switchProtocol(to: http2, replaying: bytes)
                return
            }
        }
        if exchange == nil && pending.isEmpty && upgradeBytes == nil && (!parsing || (shuttingDown && parser.phase == .idle)) {
            connection.closeAfterFlush()
        }
        connection.handlerStateChanged()
    }

    private func start(_ received: HTTPRequest, keepAlive: Bool) {
        var request = received
        request.remoteAddress = connection.remoteAddress
        startedAnyRequest = true
        lastExchangeID &+= 1
        let id = lastExchangeID
        exchange = Exchange(id: id, isHead: request.method == .head, version: request.version, keepAlive: keepAlive && !shuttingDown)
        let handler = LoopBound(self, loop: connection.loop)
        let responder = self.responder
        task = Task(executorPreference: connection.loop) {
            let response = await responder.respond(to: request)
            handler.run { $0.respond(with: response, exchange: id) }
        }
    }

    private func respond(with response: HTTPResponse, exchange id: UInt64) {
        guard var exchange, exchange.id == id, !connection.isClosed else { return }
        task = nil
        if shuttingDown || HTTP1ResponseEncoder.asksToClose(response.headers) { exchange.keepAlive = false }
        let status = response.status
        switch response.body {
        case .bytes(let body):
            write { out in
                self.appendHead(response, framing: status.forbidsBody ? .none : .contentLength(body.count), exchange, to: &out)
                if !exchange.isHead && !status.forbidsBody { out.append(contentsOf: body) }
            }
            finish(exchange)
        case .stream(let produce):
            if exchange.isHead || status.forbidsBody {
                let framing: HTTP1ResponseEncoder.Framing = status.forbidsBody || exchange.version == .http1_0 ? .none : .chunked
                write { self.appendHead(response, framing: framing, exchange, to: &$0) }
                finish(exchange)
                return
            }
            // HTTP/1.0 has no chunked coding: the body runs until the connection closes.
            exchange.chunked = exchange.version == .http1_1
            if !exchange.chunked { exchange.keepAlive = false }
            exchange.unsentLimit = response.maxUnsentBodyBytes
            self.exchange = exchange
            write { self.appendHead(response, framing: exchange.chunked ? .chunked : .untilClose, exchange, to: &$0) }
            let handler = LoopBound(self, loop: connection.loop)
            task = Task(executorPreference: connection.loop) {
                let failed: Bool
                do {
                    try await produce(HTTP1BodyWriter(handler: handler, exchange: id))
                    failed = false
                } catch {
                    failed = true
                }
                handler.run { $0.endBody(exchange: id, failed: failed) }
            }
        }
    }

    private func finish(_ exchange: Exchange) {
        self.exchange = nil
        task = nil
        if !exchange.keepAlive {
            parsing = false
            pending.removeAll()
        }
        processNext()
    }

    // MARK: Streamed bodies

    func writeBodyPart(_ bytes: [UInt8], exchange id: UInt64, continuation: CheckedContinuation<Void, any Error>) {
        guard let exchange, exchange.id == id, !connection.isClosed else {
            return continuation.resume(throwing: HTTPBodyWriterError.closed)
        }
        // An empty chunk would end the body; there is nothing to send anyway.
        guard !bytes.isEmpty else { return continuation.resume() }
        if let limit = exchange.unsentLimit, !fitsUnsentLimit(limit, adding: bytes.count) {
            // The reader is that far behind: drop it now and free what it held, rather than hold it until the write
            // timeout. One exchange at a time, so everything unsent on the connection is this body's.
            connection.close()
            return continuation.resume(throwing: HTTPBodyWriterError.unsentLimitExceeded)
        }
        if exchange.chunked {
            write { HTTP1ResponseEncoder.appendChunk(bytes, to: &$0) }
        } else {
            connection.send(bytes)
        }
        if connection.isClosed {
            continuation.resume(throwing: HTTPBodyWriterError.closed)
        } else if exchange.unsentLimit == nil && connection.outboundBytes > configuration.outboundHighWaterMark {
            suspendedWriter = continuation
        } else {
            continuation.resume()
        }
    }

    /// Whether `count` more body bytes keep what the peer has not received within `limit`: the connection's output
    /// and the kernel's send queue alike (`Connection.unreceivedBytes`). Nothing unreceived: always. Else the kernel
    /// is given what it takes first, as the producer may have written several times since the last writability
    /// event. Chunk framing is not counted: a few bytes per write.
    private func fitsUnsentLimit(_ limit: Int, adding count: Int) -> Bool {
        var unreceived = connection.unreceivedBytes
        if connection.outboundBytes > 0 && unreceived + count > limit {
            connection.flush()
            unreceived = connection.unreceivedBytes
        }
        return unreceived == 0 || unreceived + count <= limit
    }

    /// Called from the loop's write path (never from inside `send`) once the output is below the low-water mark.
    func outputDrained() {
        if let writer = suspendedWriter {
            suspendedWriter = nil
            writer.resume()
        }
        if exchange == nil && !pending.isEmpty { processNext() }
    }

    private func endBody(exchange id: UInt64, failed: Bool) {
        guard let exchange, exchange.id == id, !connection.isClosed else { return }
        // A producer that failed mid-body cannot say so any more; a cut connection is the honest signal.
        guard !failed else { return connection.close() }
        if exchange.chunked { connection.send(HTTP1ResponseEncoder.lastChunk) }
        finish(exchange)
    }

    // MARK: Ending

    func requestTimedOut() {
        guard exchange == nil else { return connection.close() }
        respondAndClose(.problem(.requestTimeout, "the request was not received in time"))
    }

    /// HTTP/1.1 has no goodbye: a client must expect an idle connection to close (RFC 9112 §9.5).
    func idleTimedOut() {
        connection.close()
    }

    func beginGracefulShutdown() {
        if exchange == nil && pending.isEmpty && upgradeBytes == nil && parser.phase == .idle {
            connection.close()
        }
    }

    func connectionClosed() {
        task?.cancel()
        task = nil
        suspendedWriter?.resume(throwing: HTTPBodyWriterError.closed)
        suspendedWriter = nil
        exchange = nil
        pending.removeAll()
        parsing = false
    }

    /// Parse errors and timeouts: a problem response with `Connection: close`, then close.
    private func respondAndClose(_ response: HTTPResponse) {
        parsing = false
        pending.removeAll()
        guard case .bytes(let body) = response.body else { preconditionFailure("problem responses have bytes") }
        write { out in
            HTTP1ResponseEncoder.appendHead(
                status: response.status, headers: response.headers, framing: .contentLength(body.count),
                connection: .close, dateFieldLine: self.connection.loop.dateCache.fieldLine, to: &out)
            out.append(contentsOf: body)
        }
        connection.closeAfterFlush()
    }

    // MARK: Serializing

    private func appendHead(_ response: HTTPResponse, framing: HTTP1ResponseEncoder.Framing, _ exchange: Exchange, to out: inout [UInt8]) {
        let field: HTTP1ResponseEncoder.ConnectionField =
            !exchange.keepAlive ? .close : exchange.version == .http1_0 ? .keepAlive : .persistentByDefault
        HTTP1ResponseEncoder.appendHead(
            status: response.status, headers: response.headers, framing: framing, connection: field,
            dateFieldLine: connection.loop.dateCache.fieldLine, to: &out)
    }

    /// Serializes into the loop's scratch buffer and sends it: head and body leave in one `send`.
    private func write(_ build: (inout [UInt8]) -> Void) {
        let loop = connection.loop
        loop.writeScratch.removeAll(keepingCapacity: loop.writeScratch.capacity <= Self.retainedScratchCapacity)
        build(&loop.writeScratch)
        connection.send(loop.writeScratch)
    }
}
