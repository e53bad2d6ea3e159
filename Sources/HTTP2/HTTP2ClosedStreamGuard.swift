/// Answers DATA and HEADERS that a client sends on a stream it had already ended, which nghttp2 silently drops once
/// the stream is closed (RFC 9113 §5.1, "closed"; h2spec 5.1/8, 5.1/9, 5.1/11, 5.1/12):
///
/// - after the client's RST_STREAM: a stream error, RST_STREAM(STREAM_CLOSED);
/// - after the client's END_STREAM, once the stream has closed: a connection error, GOAWAY(STREAM_CLOSED).
///
/// A stream the server reset while the client was still sending (a `413`, say) is not the client's fault: frames
/// already in flight on it are ignored, as §5.1 requires. nghttp2 reports no frame it drops, so the guard reads
/// the frame headers of the inbound bytes itself (never payloads), in order, before the session sees them; the
/// connection acts on what it noted once the session has processed the same bytes.
struct HTTP2ClosedStreamGuard {
    /// How a client ended one of its streams.
    enum Ending: Equatable { case endStream, reset }

    /// A frame the client sent on a stream it had ended.
    struct Offence: Equatable {
        let streamID: Int32
        let ending: Ending
    }

    /// Streams remembered; older ones are forgotten (their late frames are then ignored, as nghttp2 does).
    static let rememberedStreams = 256

    private static let frameHeaderLength = 9
    private var prefaceLeft = HTTP2Preface.bytes.count
    private var header: [UInt8] = []
    private var payloadLeft = 0
    private var endings: [Int32: Ending] = [:]
    private var order: [Int32] = []

    /// Walks `bytes`; returns the DATA and HEADERS frames (whose headers completed here) on streams already ended.
    mutating func scan(_ bytes: UnsafeRawBufferPointer) -> [Offence] {
        var offences: [Offence] = []
        var index = 0
        while index < bytes.count {
            if prefaceLeft > 0 {
                let skipped = min(prefaceLeft, bytes.count - index)
                prefaceLeft -= skipped
                index += skipped
            } else if payloadLeft > 0 {
                let skipped = min(payloadLeft, bytes.count - index)
                payloadLeft -= skipped
                index += skipped
            } else {
                let taken = min(Self.frameHeaderLength - header.count, bytes.count - index)
                header.append(contentsOf: bytes[index..<(index + taken)])
                index += taken
                if header.count == Self.frameHeaderLength {
                    if let offence = frameHeaderCompleted() { offences.append(offence) }
                    header.removeAll(keepingCapacity: true)
                }
            }
        }
        return offences
    }

    private mutating func frameHeaderCompleted() -> Offence? {
        payloadLeft = Int(header[0]) << 16 | Int(header[1]) << 8 | Int(header[2])
        let type = header[3], flags = header[4]
        let streamID = Int32(bitPattern: UInt32(header[5] & 0x7f) << 24 | UInt32(header[6]) << 16 | UInt32(header[7]) << 8 | UInt32(header[8]))
        guard streamID != 0 else { return nil }
        switch type {
        case FrameByte.data, FrameByte.headers:
            if let ending = endings[streamID] { return Offence(streamID: streamID, ending: ending) }
            if flags & FrameByte.endStream != 0 { remember(streamID, .endStream) }
        case FrameByte.rstStream:
            remember(streamID, .reset)
        default:
            break
        }
        return nil
    }

    private mutating func remember(_ streamID: Int32, _ ending: Ending) {
        if endings.updateValue(ending, forKey: streamID) == nil {
            order.append(streamID)
            if order.count > Self.rememberedStreams { endings[order.removeFirst()] = nil }
        }
    }
}
