/// How transfers reach one upstream: the proxy, the TLS trust and client identity. Per upstream (per source), not per
/// request; transfers with different options never share a connection (libcurl matches them before reuse).
public struct CurlOptions: Sendable, Equatable {
    public enum Proxy: Sendable, Equatable {
        /// libcurl's own reading of `https_proxy`/`HTTPS_PROXY`, `http_proxy` (lower case only), `ALL_PROXY` and
        /// `NO_PROXY`: the default, what corporate egress expects.
        case environment
        /// Every request through this proxy (`http://`, `https://`, `socks5h://` …), whatever the environment says,
        /// `NO_PROXY` included.
        case url(String)
        /// Direct connections, whatever the environment says.
        case none
    }

    /// PEM files. Verification of the server is always on: there is deliberately no option to turn it off.
    public struct TLS: Sendable, Equatable {
        /// Trust anchors replacing the system bundle (a private CA); nil for the system bundle.
        public var caFile: String?
        /// A client certificate (mTLS) and its key; both or neither.
        public var certFile: String?
        public var keyFile: String?

        public init(caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil) {
            self.caFile = caFile
            self.certFile = certFile
            self.keyFile = keyFile
        }
    }

    public var proxy: Proxy
    public var tls: TLS

    public init(proxy: Proxy = .environment, tls: TLS = TLS()) {
        self.proxy = proxy
        self.tls = tls
    }
}
