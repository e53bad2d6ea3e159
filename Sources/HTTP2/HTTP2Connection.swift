import CNGHTTP2
import HTTPCore

/// One HTTP/2 server connection: an nghttp2 session plus the glue to `HTTPResponder`. Pure of sockets — the host
/// feeds received bytes to `receive(_:)` and writes whatever `pendingOutput()` returns.
///
/// Not `Sendable`: every method must be called on the host's loop thread, the only thread that touches the session.
/// Handler tasks come back to it through `HTTP2ConnectionHost.execute(onLoop:)`. After calling any method the host
/// drains `pendingOutput()`; output that appears later (a handler's response) is announced by `outputAvailable()`.
public final class HTTP2Connection {
    let configuration: HTTP2Configuration
    let limits: HTTPLimits
    let maxHeaderListSize: Int
    let responder: any HTTPResponder
    let remoteAddress: String?
    /// Weak: the host owns the connection.
    weak var host: (any HTTP2ConnectionHost)?
    /// How handler tasks find this connection again on the loop.
    let reference = HTTP2ConnectionReference()
    private(set) var session: OpaquePointer!
    var streams: [Int32: HTTP2Stream] = [:]
    var date = HTTPDate.Clock()
    private var isClosed = false
    /// Finds frames on streams the client had ended, which the session drops without a word.
    private var closedStreamGuard = HTTP2ClosedStreamGuard()
    /// nghttp2 failed in a way that leaves no protocol answer (out of memory, a callback failure).
    private var isBroken = false
    /// Bytes `pendingOutput()` has handed out since the start: the offsets capped streams measure delivery against.
    private(set) var outputOffset = 0
    /// Capped streams whose body bytes went into the frame nghttp2 is serializing (it reads bodies inside
    /// `nghttp2_session_mem_send`), and how many; noted with the frame's end once it is out.
    var framedDuringSend: [(stream: HTTP2Stream, count: Int)] = []

    public enum SetupError: Error { case nghttp2(code: Int32) }

    public init(
        configuration: HTTP2Configuration = HTTP2Configuration(),
        limits: HTTPLimits = HTTPLimits(),
        responder: any HTTPResponder,
        host: any HTTP2ConnectionHost,
        remoteAddress: String? = nil
    ) throws {
        self.configuration = configuration
        self.limits = limits
        self.maxHeaderListSize = HTTP2Configuration.maxHeaderListSize(for: limits)
        self.responder = responder
        self.host = host
        self.remoteAddress = remoteAddress
        reference.connection = self

        var newSession: OpaquePointer?
        let created = HTTP2Callbacks.withCallbacks { callbacks in
            Self.withOptions(configuration) { options in
                nghttp2_session_server_new2(&newSession, callbacks, Unmanaged.passUnretained(self).toOpaque(), options)
            }
        }
        guard created == 0, let newSession else { throw SetupError.nghttp2(code: created) }
        session = newSession
        let settingsResult = submitSettings()
        guard settingsResult == 0 else { throw SetupError.nghttp2(code: settingsResult) }
    }

    deinit {
        close()
        nghttp2_session_del(session)
    }

    // MARK: Bytes in, bytes out

    /// Feeds bytes read from the socket. Returns false when the connection is beyond saving: flush
    /// `pendingOutput()` (it may hold a GOAWAY) and close.
    @discardableResult
    public func receive(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard !isClosed, !isBroken else { return false }
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return true }
        let offences = closedStreamGuard.scan(bytes)
        let consumed = nghttp2_session_mem_recv(session, base.assumingMemoryBound(to: UInt8.self), bytes.count)
        if consumed < 0 {
            // Bad preface, flooding, or a failed callback: tell the peer if the session still can.
            nghttp2_session_terminate_session(session, NGHTTP2_PROTOCOL_ERROR.rawValue)
            return false
        }
        for offence in offences { answer(offence) }
        return true
    }

    /// RFC 9113 §5.1: frames after the client's RST_STREAM are a stream error, frames after its END_STREAM a
    /// connection error, both STREAM_CLOSED. Only for streams the session has closed (it answers open ones itself)
    /// and while it is not already ending the connection.
    private func answer(_ offence: HTTP2ClosedStreamGuard.Offence) {
        guard nghttp2_session_want_read(session) != 0,
            nghttp2_session_find_stream(session, offence.streamID) == nil
        else { return }
        switch offence.ending {
        case .reset:
            nghttp2_submit_rst_stream(
                session, UInt8(NGHTTP2_FLAG_NONE.rawValue), offence.streamID, NGHTTP2_STREAM_CLOSED.rawValue)
        case .endStream:
            nghttp2_session_terminate_session(session, NGHTTP2_STREAM_CLOSED.rawValue)
        }
    }

    @discardableResult
    public func receive(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { receive($0) }
    }

    /// Serialized frames ready to write, at most about `maxBytes` (one frame may cross it). Call again after writing
    /// while `hasPendingOutput` is true; stopping early is how socket backpressure reaches nghttp2.
    public func pendingOutput(maxBytes: Int = 256 * 1024) -> [UInt8] {
        var output: [UInt8] = []
        while output.count < maxBytes, !isBroken {
            var data: UnsafePointer<UInt8>?
            let count = nghttp2_session_mem_send(session, &data)
            if count < 0 {
                isBroken = true
            } else if count == 0 {
                break
            } else if let data {
                // Sized once for a typical burst (several responses' frames), not grown frame by frame.
                if output.isEmpty { output.reserveCapacity(min(maxBytes, max(count, 8192))) }
                output.append(contentsOf: UnsafeBufferPointer(start: data, count: count))
            }
            if !framedDuringSend.isEmpty {
                let end = outputOffset + output.count
                for (stream, taken) in framedDuringSend { stream.noteFramed(taken, outBy: end) }
                framedDuringSend.removeAll(keepingCapacity: true)
            }
        }
        framedDuringSend.removeAll(keepingCapacity: true)  // a failed send framed nothing
        outputOffset += output.count
        return output
    }

    public var hasPendingOutput: Bool { !isBroken && nghttp2_session_want_write(session) != 0 }

    /// True when the session is over (GOAWAY exchanged and every stream done, or a fatal error): close the socket
    /// once `pendingOutput()` is written.
    public var wantsClose: Bool {
        isClosed || isBroken || (nghttp2_session_want_read(session) == 0 && nghttp2_session_want_write(session) == 0)
    }

    /// No stream is open: the idle timeout may run.
    public var isIdle: Bool { streams.isEmpty }

    /// Every open stream is still receiving its request (none is being answered): a stalled upload, which the host
    /// bounds with its body timeout.
    public var isOnlyReceiving: Bool {
        !streams.isEmpty && streams.values.allSatisfy { !$0.awaitsHandler && !$0.responseSubmitted }
    }

    /// Some stream still waits for its handler (or its streamed body). Lets tests and shutdown wait for quiet.
    package var hasHandlersRunning: Bool { streams.values.contains { $0.awaitsHandler } }

    package var openStreamIDs: Set<Int32> { Set(streams.keys) }

    // MARK: Lifecycle

    /// First half of a graceful shutdown: a GOAWAY with the maximum stream id, so the client stops opening streams
    /// while those already in flight can still arrive.
    public func beginGracefulShutdown() {
        guard !isClosed else { return }
        nghttp2_submit_shutdown_notice(session)
    }

    /// Second half, after a round trip or the grace period: the real GOAWAY with the last stream id processed.
    /// Streams up to it still finish; `wantsClose` turns true when they have.
    public func finishShutdown() {
        guard !isClosed else { return }
        let lastStream = nghttp2_session_get_last_proc_stream_id(session)
        nghttp2_submit_goaway(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), lastStream, NGHTTP2_NO_ERROR.rawValue, nil, 0)
    }

    /// The socket is gone: stop every handler, make every pending `write` throw `.closed`.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        for stream in streams.values { abandon(stream) }
        streams.removeAll()
    }

    func abandon(_ stream: HTTP2Stream) {
        stream.handler?.cancel()
        stream.awaitsHandler = false
        stream.releaseWriter(throwing: HTTPBodyWriterError.closed)
    }

    // MARK: Setup

    private func submitSettings() -> Int32 {
        let entries: [(nghttp2_settings_id, UInt32)] = [
            (NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, configuration.maxConcurrentStreams),
            (NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, configuration.initialWindowSize),
            (NGHTTP2_SETTINGS_MAX_FRAME_SIZE, configuration.maxFrameSize),
            (NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, UInt32(clamping: maxHeaderListSize)),
            (NGHTTP2_SETTINGS_ENABLE_PUSH, 0),
        ]
        let settings = entries.map { nghttp2_settings_entry(settings_id: Int32($0.0.rawValue), value: $0.1) }
        return nghttp2_submit_settings(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), settings, settings.count)
    }

    private static func withOptions<R>(_ configuration: HTTP2Configuration, _ body: (OpaquePointer?) -> R) -> R {
        var options: OpaquePointer?
        guard nghttp2_option_new(&options) == 0 else { return body(nil) }
        defer { nghttp2_option_del(options) }
        nghttp2_option_set_no_auto_window_update(options, 0)
        nghttp2_option_set_peer_max_concurrent_streams(options, configuration.maxConcurrentStreams)
        nghttp2_option_set_max_deflate_dynamic_table_size(options, configuration.maxDeflateDynamicTableSize)
        nghttp2_option_set_stream_reset_rate_limit(
            options, configuration.streamResetBurst, configuration.streamResetRatePerSecond)
        _ = scanrelay_nghttp2_option_set_max_continuations(options, configuration.maxContinuations)
        // Closed streams are kept only for RFC 7540 priorities, which this server ignores.
        nghttp2_option_set_no_closed_streams(options, 1)
        return body(options)
    }
}

/// Lets handler tasks find their connection again. `@unchecked Sendable` because `connection` is set once at init
/// and read only inside jobs that run on the connection's loop thread; tasks merely carry the reference there.
final class HTTP2ConnectionReference: @unchecked Sendable {
    weak var connection: HTTP2Connection?
}
