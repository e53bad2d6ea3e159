import HTTPCore

// MARK: - HTTP/2 seam
//
// A connection is a socket (`Connection`: reads, writes, outbound buffer, deadlines, lingering close) plus a protocol
// handler (`ConnectionProtocolHandler`). HTTP/1.1 is `HTTP1Handler`; HTTP/2 plugs in here, in two places:
//
// 1. Prior knowledge: every plaintext connection's first bytes are compared with the 24-byte client preface
//    (`HTTP2PrefaceSniffer`). On a match `Connection.deliver` calls `makeHTTP2Handler(upgradeRequest: nil)` and feeds
//    the new handler every byte from the first, preface included. A nil handler sends the bytes to HTTP/1.1, which
//    rejects `PRI * HTTP/2.0` with a 4xx/505 and closes.
// 2. `Upgrade: h2c`: the HTTP/1.1 parser pauses after such a request. `HTTP1Handler` asks
//    `makeHTTP2Handler(upgradeRequest:)`; with a handler it answers every earlier pipelined request, writes
//    `101 Switching Protocols`, and calls `switchProtocol(to:replaying:)` with the bytes that followed the request.
//    The HTTP/2 handler must then answer the upgrade request itself, as stream 1 (RFC 7540 §3.2).
//    With nil the request is answered as plain HTTP/1.1 and parsing goes on.
//
// What an HTTP/2 handler gets from `Connection` (all on the loop thread): `send(_:)` to write (call it after draining
// the session's output, never from inside an nghttp2 callback), `outboundBytes` against
// `loop.context.configuration.outboundHighWaterMark` for flow control towards slow readers, `outputDrained()` when to
// resume deferred DATA, `handlerStateChanged()` after it changes `readingState`/`wantsInput` (`.busy` while any stream
// is open, `.awaitingRequest` when none is, so the idle timeout applies), `closeAfterFlush()` after GOAWAY, `close()`,
// `remoteAddress`, and `loop` to start handler tasks with `Task(executorPreference: connection.loop)` and to come back
// with `LoopBound(handler, loop: connection.loop).run { ... }`. `beginGracefulShutdown()` means: send GOAWAY, finish
// open streams, then `closeAfterFlush()`; the loop force-closes whatever is left when `shutdownGrace` ends.

extension Connection {
    /// The HTTP/2 handler for this connection, or nil when HTTP/2 cannot take it (see `HTTP2ConnectionHandler.init`). `upgradeRequest` is the
    /// HTTP/1.1 request that asked for `Upgrade: h2c` (with its `HTTP2-Settings`), nil for prior knowledge.
    func makeHTTP2Handler(upgradeRequest: HTTPRequest?) -> (any ConnectionProtocolHandler)? {
        HTTP2ConnectionHandler(connection: self, upgradeRequest: upgradeRequest)
    }

    /// Hands the connection to `newHandler` (after `101 Switching Protocols` was queued) and gives it the bytes that
    /// arrived after the upgrade request.
    func switchProtocol(to newHandler: any ConnectionProtocolHandler, replaying bytes: [UInt8]) {
        install(newHandler)
        if !bytes.isEmpty { bytes.withUnsafeBytes { newHandler.receive($0) } }
        handlerStateChanged()
    }
}
