import CNGHTTP2
import HTTPCore

/// Request assembly, driven by the nghttp2 callbacks during `receive(_:)`.
///
/// Limits: header fields beyond `maxHeaderFields` or a header list beyond SETTINGS_MAX_HEADER_LIST_SIZE are answered
/// `431`, a body beyond `maxBodyBytes` (declared or counted as it streams) `413`, both as problem+json, followed by
/// RST_STREAM(NO_ERROR) if the client is still sending (RFC 9113 §8.1). Either way the rest is discarded.
extension HTTP2Connection {
    func beginRequest(streamID: Int32) {
        streams[streamID] = HTTP2Stream(id: streamID)
    }

    func receiveField(streamID: Int32, isTrailer: Bool, name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) {
        guard let stream = streams[streamID], stream.rejection == nil else { return }
        stream.headerListSize += name.count + value.count + 32
        if stream.headerListSize > maxHeaderListSize {
            stream.rejection = .problem(.requestHeaderFieldsTooLarge, "header list larger than \(maxHeaderListSize) bytes")
            return
        }
        // Trailers count toward the size limit but carry nothing the handlers use.
        guard !isTrailer else { return }
        let fieldName = String(decoding: name, as: UTF8.self), fieldValue = String(decoding: value, as: UTF8.self)
        switch fieldName {
        case ":method": stream.method = fieldValue
        case ":path": stream.path = fieldValue
        case ":authority": stream.authority = fieldValue
        case _ where fieldName.hasPrefix(":"): break  // :scheme, :protocol — validated by nghttp2, unused here
        default:
            guard stream.headers.count < limits.maxHeaderFields else {
                stream.rejection = .problem(.requestHeaderFieldsTooLarge, "more than \(limits.maxHeaderFields) header fields")
                return
            }
            stream.headers.add(fieldName, fieldValue)
        }
    }

    func receiveBody(streamID: Int32, chunk: UnsafeBufferPointer<UInt8>) {
        guard let stream = streams[streamID], stream.rejection == nil else { return }
        guard stream.body.count + chunk.count <= limits.maxBodyBytes else {
            stream.body = []
            stream.rejection = bodyTooLarge(stream)
            return
        }
        stream.body.append(contentsOf: chunk)
    }

    /// A HEADERS or DATA frame of a request is complete: answer a rejection now, dispatch on END_STREAM.
    func requestFrameReceived(streamID: Int32, endsStream: Bool) {
        guard let stream = streams[streamID], !stream.responseSubmitted, !stream.awaitsHandler else { return }
        if stream.rejection == nil, let declared = stream.headers["content-length"], let length = Int(declared),
            length > limits.maxBodyBytes
        {
            stream.rejection = bodyTooLarge(stream)
        }
        if let rejection = stream.rejection {
            submit(rejection, on: stream)
        } else if endsStream {
            startHandler(for: stream.makeRequest(remoteAddress: remoteAddress), on: stream)
        }
    }

    /// Our END_STREAM went out. A rejected request may still be uploading: stop it without calling it an error.
    func responseEnded(streamID: Int32) {
        guard let stream = streams[streamID], stream.rejection != nil,
            nghttp2_session_get_stream_remote_close(session, streamID) == 0
        else { return }
        nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), streamID, NGHTTP2_NO_ERROR.rawValue)
    }

    /// The stream is over, normally or by RST_STREAM from either side: stop its handler and any blocked writer.
    func streamClosed(streamID: Int32) {
        guard let stream = streams.removeValue(forKey: streamID) else { return }
        abandon(stream)
    }

    /// `413`, unless the application answers the head otherwise (`HTTPResponder.answerBeforeBody`).
    private func bodyTooLarge(_ stream: HTTP2Stream) -> HTTPResponse {
        var head = stream.makeRequest(remoteAddress: remoteAddress)
        head.body = []
        return responder.answerBeforeBody(to: head)
            ?? .problem(.contentTooLarge, "request body larger than \(limits.maxBodyBytes) bytes")
    }
}
