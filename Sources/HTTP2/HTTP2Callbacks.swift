import CNGHTTP2

/// The nghttp2 callbacks: C function pointers that recover the connection from `user_data` (set with
/// `Unmanaged.passUnretained` by the connection, which outlives its session) and forward to it.
enum HTTP2Callbacks {
    static func withCallbacks<R>(_ body: (OpaquePointer?) -> R) -> R {
        var callbacks: OpaquePointer?
        guard nghttp2_session_callbacks_new(&callbacks) == 0 else { return body(nil) }
        defer { nghttp2_session_callbacks_del(callbacks) }
        nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, onBeginHeaders)
        nghttp2_session_callbacks_set_on_header_callback(callbacks, onHeader)
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, onDataChunk)
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, onFrameReceived)
        nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, onFrameSent)
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, onStreamClose)
        return body(callbacks)
    }

    /// Runs `body` with the connection behind `user_data`, without retaining it: the session calling back belongs to
    /// the connection, so the connection outlives the call. (A retain would also be slow here: the connection has
    /// a weak reference to it, and objects with one are counted through a side table.)
    static func withConnection<R>(_ userData: UnsafeMutableRawPointer?, _ body: (HTTP2Connection) -> R) -> R {
        Unmanaged<HTTP2Connection>.fromOpaque(userData!)._withUnsafeGuaranteedRef(body)
    }

    static func bytes(_ pointer: UnsafePointer<UInt8>?, _ count: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: pointer, count: pointer == nil ? 0 : count)
    }
}

/// The frame types and flags as the byte values the frame header carries.
enum FrameByte {
    static let data = UInt8(NGHTTP2_DATA.rawValue)
    static let headers = UInt8(NGHTTP2_HEADERS.rawValue)
    static let rstStream = UInt8(NGHTTP2_RST_STREAM.rawValue)
    static let endStream = UInt8(NGHTTP2_FLAG_END_STREAM.rawValue)
}

private func onBeginHeaders(
    _ session: OpaquePointer?, _ frame: UnsafePointer<nghttp2_frame>?, _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let frame, frame.pointee.hd.type == FrameByte.headers,
        frame.pointee.headers.cat == NGHTTP2_HCAT_REQUEST
    else { return 0 }
    HTTP2Callbacks.withConnection(userData) { $0.beginRequest(streamID: frame.pointee.hd.stream_id) }
    return 0
}

private func onHeader(
    _ session: OpaquePointer?, _ frame: UnsafePointer<nghttp2_frame>?,
    _ name: UnsafePointer<UInt8>?, _ nameLength: Int, _ value: UnsafePointer<UInt8>?, _ valueLength: Int,
    _ flags: UInt8, _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let frame, frame.pointee.hd.type == FrameByte.headers else { return 0 }
    HTTP2Callbacks.withConnection(userData) {
        $0.receiveField(
            streamID: frame.pointee.hd.stream_id,
            isTrailer: frame.pointee.headers.cat != NGHTTP2_HCAT_REQUEST,
            name: HTTP2Callbacks.bytes(name, nameLength), value: HTTP2Callbacks.bytes(value, valueLength))
    }
    return 0
}

private func onDataChunk(
    _ session: OpaquePointer?, _ flags: UInt8, _ streamID: Int32, _ data: UnsafePointer<UInt8>?, _ length: Int,
    _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    HTTP2Callbacks.withConnection(userData) {
        $0.receiveBody(streamID: streamID, chunk: HTTP2Callbacks.bytes(data, length))
    }
    return 0
}

private func onFrameReceived(
    _ session: OpaquePointer?, _ frame: UnsafePointer<nghttp2_frame>?, _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let header = frame?.pointee.hd, header.type == FrameByte.headers || header.type == FrameByte.data
    else { return 0 }
    HTTP2Callbacks.withConnection(userData) {
        $0.requestFrameReceived(streamID: header.stream_id, endsStream: header.flags & FrameByte.endStream != 0)
    }
    return 0
}

private func onFrameSent(
    _ session: OpaquePointer?, _ frame: UnsafePointer<nghttp2_frame>?, _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let header = frame?.pointee.hd, header.type == FrameByte.headers || header.type == FrameByte.data,
        header.flags & FrameByte.endStream != 0
    else { return 0 }
    HTTP2Callbacks.withConnection(userData) { $0.responseEnded(streamID: header.stream_id) }
    return 0
}

private func onStreamClose(
    _ session: OpaquePointer?, _ streamID: Int32, _ errorCode: UInt32, _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    HTTP2Callbacks.withConnection(userData) { $0.streamClosed(streamID: streamID) }
    return 0
}

/// The data source of every response body: copies buffered bytes, or defers until a producer writes more.
func readResponseBody(
    _ session: OpaquePointer?, _ streamID: Int32, _ buffer: UnsafeMutablePointer<UInt8>?, _ length: Int,
    _ dataFlags: UnsafeMutablePointer<UInt32>?, _ source: UnsafeMutablePointer<nghttp2_data_source>?,
    _ userData: UnsafeMutableRawPointer?
) -> Int {
    guard let buffer, let dataFlags else { return Int(NGHTTP2_ERR_CALLBACK_FAILURE.rawValue) }
    return HTTP2Callbacks.withConnection(userData) {
        $0.readBody(streamID: streamID, into: buffer, capacity: length, flags: dataFlags)
    }
}
