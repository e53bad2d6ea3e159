import HTTPCore

/// HTTP/2 settings and abuse limits for one server. The defaults are safe for a public listener.
public struct HTTP2Configuration: Sendable, Equatable {
    /// SETTINGS_MAX_CONCURRENT_STREAMS: requests one connection may have open at once.
    public var maxConcurrentStreams: UInt32 = 100
    /// SETTINGS_INITIAL_WINDOW_SIZE: how much request body a client may send per stream before a WINDOW_UPDATE.
    public var initialWindowSize: UInt32 = 65_535
    /// SETTINGS_MAX_FRAME_SIZE we accept (16 KiB is the protocol minimum and what clients send anyway).
    public var maxFrameSize: UInt32 = 16_384
    /// Response body bytes buffered per stream before a streaming producer's `write` suspends.
    public var maxBufferedBytesPerStream: Int = 64 * 1024
    /// RST_STREAM token bucket (rapid reset, CVE-2023-44487): burst, then tokens per second; beyond it, GOAWAY.
    public var streamResetBurst: UInt64 = 200
    public var streamResetRatePerSecond: UInt64 = 50
    /// CONTINUATION frames allowed after one HEADERS frame (CONTINUATION flood, CVE-2024-28182).
    public var maxContinuations: Int = 8
    /// Dynamic table size used for compressing our response headers (HPACK, RFC 7541).
    public var maxDeflateDynamicTableSize: Int = 4096
    /// Response fields whose value differs in every response (lower-case names), sent as never-indexed literals
    /// (RFC 7541 §6.2.3). Indexing them would fill HPACK's dynamic table with entries no later response reuses, and
    /// cost nghttp2 a table search, an insertion and an eviction on every response.
    public var unindexedResponseFields: [String] = ["x-request-id"]
    /// The `server` response header; nil sends none.
    public var serverName: String? = "scanrelay"

    public init() {}

    /// SETTINGS_MAX_HEADER_LIST_SIZE for the given limits: HTTP/2 counts each field as name + value + 32 octets,
    /// so the per-field overhead is added to the HTTP/1.1 byte budget for the allowed number of fields.
    public static func maxHeaderListSize(for limits: HTTPLimits) -> Int {
        limits.maxHeaderBytes + 32 * limits.maxHeaderFields
    }
}
