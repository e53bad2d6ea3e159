import CCurl
import CCurlShim

/// One request on the engine thread: its easy handle's settings, and the answer as it arrives.
final class Transfer {
    let submission: Submission
    private let easy: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var body: [UInt8] = []
    private var headers: [(name: String, value: String)] = []
    private var headerBytes = 0
    /// Set by a callback that stopped the transfer (it returned 0, so libcurl reports a write error).
    private var stoppedBecause: CurlClientError?

    init(submission: Submission, easy: UnsafeMutableRawPointer) {
        self.submission = submission
        self.easy = easy
    }

    /// Applies the request and options to the easy handle; the problem if it cannot be sent as given.
    func configure() -> CurlClientError? {
        let request = submission.request, options = submission.options
        guard request.url.hasPrefix("http://") || request.url.hasPrefix("https://") else {
            return .invalidRequest("only http and https URLs are fetched")
        }
        guard request.maxBodyBytes >= 0 else { return .invalidRequest("negative body limit") }
        var problem: CurlClientError?
        func set(_ code: CURLcode) {
            if problem == nil, code != CURLE_OK { problem = Self.settingFailure(code) }
        }
        set(scr_easy_setopt_string(easy, CURLOPT_URL, request.url))
        set(scr_easy_allow_http_only(easy))
        // A 3xx is an answer: a credential is never replayed to a host configuration did not name.
        set(scr_easy_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 0))
        set(scr_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1))
        let timeout = Self.milliseconds(request.timeout)
        set(scr_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, timeout))
        set(scr_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, min(timeout, Self.milliseconds(request.connectTimeout))))
        set(scr_easy_setopt_long(easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS))
        // Concurrent requests to one host wait for its first connection to learn whether it multiplexes (HTTP/2).
        set(scr_easy_setopt_long(easy, CURLOPT_PIPEWAIT, 1))
        set(scr_easy_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1))
        // Every encoding libcurl decodes; the body cap applies to the decoded bytes, so a compressed bomb stops too.
        set(scr_easy_setopt_string(easy, CURLOPT_ACCEPT_ENCODING, ""))
        set(scr_easy_setopt_string(easy, CURLOPT_USERAGENT, "ScanRelay"))
        // Refused early when the Content-Length alone says too much; the write callback enforces the rest.
        set(scr_easy_setopt_off(easy, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(request.maxBodyBytes)))
        set(scr_easy_setopt_long(easy, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1))
        configureTLS(options.tls, set)
        configureProxy(options.proxy, set)
        if let headerProblem = configureHeaders(request.headers) { return headerProblem }
        set(scr_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, headerList))
        configureMethod(request, set)
        let context = Unmanaged.passUnretained(self).toOpaque()
        set(scr_easy_setopt_data_callback(easy, CURLOPT_WRITEFUNCTION) { data, size, count, context in
            Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue().receiveBody(data, size * count)
        })
        set(scr_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, context))
        set(scr_easy_setopt_data_callback(easy, CURLOPT_HEADERFUNCTION) { data, size, count, context in
            Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue().receiveHeader(data, size * count)
        })
        set(scr_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, context))
        return problem
    }

    /// The result of a transfer libcurl reports done with `code`.
    func outcome(_ code: CURLcode) -> Result<CurlResponse, CurlClientError> {
        if let stoppedBecause { return .failure(stoppedBecause) }
        if code == CURLE_FILESIZE_EXCEEDED { return .failure(.bodyTooLarge(limit: submission.request.maxBodyBytes)) }
        guard code == CURLE_OK else { return .failure(CurlErrorMapping.error(code)) }
        var status = 0
        _ = scr_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        return .success(CurlResponse(status: status, headers: headers, body: body))
    }

    func releaseHeaders() {
        curl_slist_free_all(headerList)
        headerList = nil
    }

    // MARK: - Settings

    private func configureTLS(_ tls: CurlOptions.TLS, _ set: (CURLcode) -> Void) {
        // libcurl's defaults, stated so no future edit can quietly weaken them.
        set(scr_easy_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 1))
        set(scr_easy_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 2))
        if let caFile = tls.caFile { set(scr_easy_setopt_string(easy, CURLOPT_CAINFO, caFile)) }
        if let certFile = tls.certFile { set(scr_easy_setopt_string(easy, CURLOPT_SSLCERT, certFile)) }
        if let keyFile = tls.keyFile { set(scr_easy_setopt_string(easy, CURLOPT_SSLKEY, keyFile)) }
    }

    private func configureProxy(_ proxy: CurlOptions.Proxy, _ set: (CURLcode) -> Void) {
        switch proxy {
        case .environment:
            break  // libcurl reads the proxy variables itself when no proxy option is set
        case .url(let url):
            set(scr_easy_setopt_string(easy, CURLOPT_PROXY, url))
            // "" overrides NO_PROXY from the environment: the configured proxy is used for every host.
            set(scr_easy_setopt_string(easy, CURLOPT_NOPROXY, ""))
        case .none:
            // An empty proxy disables the environment's.
            set(scr_easy_setopt_string(easy, CURLOPT_PROXY, ""))
        }
    }

    /// Our fields, plus `Expect:` so a body is sent at once instead of after a 100-continue round trip.
    private func configureHeaders(_ fields: [(name: String, value: String)]) -> CurlClientError? {
        for (name, value) in fields {
            guard Self.isFieldText(name), !name.isEmpty, !name.contains(":"), Self.isFieldText(value) else {
                return .invalidRequest("a header name or value holds a line break, a NUL or a colon in its name")
            }
            // "Name;" is libcurl's way to send a field with an empty value ("Name:" would remove the field).
            append(value.isEmpty ? "\(name);" : "\(name): \(value)")
        }
        append("Expect:")
        return nil
    }

    private func append(_ line: String) {
        headerList = curl_slist_append(headerList, line)
    }

    private func configureMethod(_ request: CurlRequest, _ set: (CURLcode) -> Void) {
        if let body = request.body {
            set(scr_easy_setopt_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
            // Copied by libcurl: the bytes need not outlive this call.
            body.withUnsafeBytes { bytes in
                let start = bytes.baseAddress ?? UnsafeRawPointer(("" as StaticString).utf8Start)
                set(scr_easy_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: start)))
            }
        }
        switch request.method {
        case "GET": if request.body == nil { set(scr_easy_setopt_long(easy, CURLOPT_HTTPGET, 1)) }
        case "POST": if request.body == nil { set(scr_easy_setopt_long(easy, CURLOPT_POST, 1)) }
        case "HEAD": set(scr_easy_setopt_long(easy, CURLOPT_NOBODY, 1))
        default: set(scr_easy_setopt_string(easy, CURLOPT_CUSTOMREQUEST, request.method))
        }
    }

    // MARK: - Callbacks (engine thread, inside curl_multi_perform)

    private func receiveBody(_ data: UnsafeMutablePointer<CChar>?, _ count: Int) -> Int {
        guard body.count + count <= submission.request.maxBodyBytes else {
            stoppedBecause = .bodyTooLarge(limit: submission.request.maxBodyBytes)
            return 0
        }
        if let data, count > 0 {
            body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: count))
        }
        return count
    }

    private func receiveHeader(_ data: UnsafeMutablePointer<CChar>?, _ count: Int) -> Int {
        headerBytes += count
        guard headerBytes <= CurlHTTPClient.maxHeaderBytes else {
            stoppedBecause = .headersTooLarge
            return 0
        }
        guard let data, count > 0 else { return count }
        let line = UnsafeRawBufferPointer(start: data, count: count)
        if line.starts(with: "HTTP/".utf8) {
            headers.removeAll()  // a new response begins: the fields so far were an interim (1xx) answer's
        } else if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            let name = String(decoding: line[..<colon], as: UTF8.self)
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self)
            headers.append((name, value.trimmingFieldWhitespace()))
        }
        return count
    }

    // MARK: - Helpers

    private static func isFieldText(_ text: String) -> Bool {
        !text.utf8.contains { $0 == 0x0D || $0 == 0x0A || $0 == 0 }
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }

    private static func settingFailure(_ code: CURLcode) -> CurlClientError {
        switch code {
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT: .invalidRequest("the URL cannot be fetched")
        default: .invalidRequest(CurlErrorMapping.text(code))
        }
    }
}

extension String {
    /// Without the spaces, tabs and line end around a header field's value.
    fileprivate func trimmingFieldWhitespace() -> String {
        let isWhitespace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
        let bytes = Array(utf8)
        guard let first = bytes.firstIndex(where: { !isWhitespace($0) }),
              let last = bytes.lastIndex(where: { !isWhitespace($0) })
        else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
