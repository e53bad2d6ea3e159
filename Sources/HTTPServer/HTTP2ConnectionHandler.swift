import HTTP2
import HTTPCore

/// HTTP/2 on one connection: the socket side of an `HTTP2Connection` (nghttp2 session). Bytes read go to the
/// session; its output goes to `Connection.send` while the outbound buffer is below the high-water mark, the rest
/// waits inside nghttp2 until `outputDrained()` (that is the socket backpressure; streamed bodies suspend per stream).
///
/// `@unchecked Sendable` only for its `HTTP2ConnectionHost` role: handler tasks call `execute(onLoop:)`, which just
/// enqueues on the loop; every other member is used on the loop thread alone.
final class HTTP2ConnectionHandler: ConnectionProtocolHandler, HTTP2ConnectionHost, @unchecked Sendable {
    let protocolName = "h2"
    /// Strong: the connection drops its handler when it closes, which breaks the cycle.
    private let connection: Connection
    private let loop: EventLoop
    private let configuration: HTTPServerConfiguration
    private var session: HTTP2Connection!
    private var servedAnyRequest = false
    private var peerFinished = false
    private var shuttingDown = false
    /// A flush is queued on the loop (see `outputAvailable`).
    private var flushScheduled = false
    /// An accepted `Upgrade: h2c` request, taken over as stream 1 with the first HTTP/2 bytes: only then is the
    /// `101` (written by the HTTP/1.1 handler once earlier pipelined requests are answered) surely out.
    private var upgrade: (request: HTTPRequest, settings: [UInt8])?

    /// Nil when the session cannot be set up or an upgrade request carries unusable `HTTP2-Settings` (the request
    /// is then answered over HTTP/1.1).
    init?(connection: Connection, upgradeRequest: HTTPRequest?) {
        self.connection = connection
        self.loop = connection.loop
        self.configuration = connection.loop.context.configuration
        guard let session = try? HTTP2Connection(
            configuration: configuration.http2, limits: configuration.limits, responder: connection.loop.context.responder,
            host: self, remoteAddress: connection.remoteAddress)
        else { return nil }
        self.session = session
        if let upgradeRequest {
            guard let settings = HTTP2Upgrade.settingsPayload(of: upgradeRequest) else { return nil }
            upgrade = (upgradeRequest, settings)
        }
    }

    // MARK: HTTP2ConnectionHost

    func execute(onLoop job: @escaping @Sendable () -> Void) {
        // A stopped loop has closed its connections; running the job here lets the task waiting on it finish (it
        // finds no connection or no stream) instead of hanging. Only tasks call this, never an nghttp2 callback.
        if !loop.execute(job) { job() }
    }

    /// Flushes once the loop has run the work already queued: the responses of streams that finish in the same
    /// turn (the handlers of one read's requests, typically) then leave in one write instead of one each.
    func outputAvailable() {
        guard !flushScheduled else { return }
        flushScheduled = true
        loop.execute {
            self.flushScheduled = false
            self.flush()
        }
    }

    var handlerExecutor: (any TaskExecutor)? { loop }

    var isOnConnectionThread: Bool { loop.inEventLoop }

    /// Everything the session handed out went to `connection.send` at once, so what the peer lacks of it is what
    /// the connection has not delivered.
    var undeliveredOutputBytes: Int { connection.unreceivedBytes }

    // MARK: ConnectionProtocolHandler

    var readingState: ConnectionDeadlines<ContinuousClock.Instant>.Reading {
        if session.isIdle { return servedAnyRequest ? .awaitingRequest : .head }
        return session.isOnlyReceiving ? .body : .busy
    }

    /// Always read: WINDOW_UPDATE, SETTINGS and RST_STREAM must get through even while output is backed up.
    /// nghttp2 bounds what reading can queue (stream limits, flow-control windows, its outbound ACK limit).
    var wantsInput: Bool { true }

    func receive(_ bytes: UnsafeRawBufferPointer) {
        if let (request, settings) = upgrade {
            upgrade = nil
            servedAnyRequest = true
            // nghttp2 refuses only settings values out of range; the 101 is out, so all that is left is to close.
            guard session.upgrade(with: request, settingsPayload: settings) else { return connection.close() }
        }
        let usable = session.receive(bytes)
        if !session.isIdle { servedAnyRequest = true }
        flush()
        if !usable { connection.closeAfterFlush() }
    }

    func inputEnded() {
        peerFinished = true
        flush()
    }

    func outputDrained() { flush() }

    func requestTimedOut() {
        // A stalled preface, header block or upload: the connection is not worth keeping.
        session.finishShutdown()
        flush()
        connection.closeAfterFlush()
    }

    /// A GOAWAY (NO_ERROR, the last stream processed) tells the client the close is deliberate, so it opens a new
    /// connection rather than treating the next request's failure as an error.
    func idleTimedOut() {
        session.finishShutdown()
        flush()
        connection.closeAfterFlush()
    }

    func beginGracefulShutdown() {
        guard !shuttingDown else { return }
        shuttingDown = true
        guard !session.isIdle else {
            session.finishShutdown()
            return flush()
        }
        // Announce, then after about a round trip send the GOAWAY that fixes the last stream (RFC 9113 §6.8).
        session.beginGracefulShutdown()
        flush()
        let delay = min(.seconds(1), configuration.shutdownGrace / 2)
        Task(executorPreference: loop) {
            try? await Task.sleep(for: delay)
            self.execute { self.finishShutdown() }
        }
    }

    func connectionClosed() {
        session.close()
    }

    // MARK: Output

    private func finishShutdown() {
        guard !connection.isClosed else { return }
        session.finishShutdown()
        flush()
    }

    /// Moves the session's output to the socket up to the high-water mark, then closes if the session is over.
    private func flush() {
        guard !connection.isClosed else { return }
        while connection.outboundBytes < configuration.outboundHighWaterMark {
            let bytes = session.pendingOutput(maxBytes: configuration.outboundLowWaterMark)
            guard !bytes.isEmpty else { break }
            connection.send(bytes)
            guard !connection.isClosed else { return }
        }
        if session.wantsClose || (peerFinished && session.isIdle) {
            connection.closeAfterFlush()
        }
        connection.handlerStateChanged()
    }
}
