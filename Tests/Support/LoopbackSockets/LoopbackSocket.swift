import Glibc

/// Blocking TCP sockets to 127.0.0.1, for the test clients that write exact bytes.
public enum LoopbackSocket {
    public struct ConnectFailure: Error, Equatable {
        public let errno: Int32
    }

    /// A socket connected to 127.0.0.1:`port`; on failure nothing stays open and the error carries `errno`.
    ///
    /// A class that owns the returned descriptor should set its field only from this result: once every stored
    /// property of a class is set, `deinit` runs even when the initializer throws, and closing a failed socket there
    /// as well would close its number twice — by then another test's connection in this process may own it.
    /// `receiveBuffer` shrinks the kernel's buffer before connecting (it cannot grow the window afterwards).
    public static func connect(port: Int, receiveBuffer: Int32? = nil) throws(ConnectFailure) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ConnectFailure(errno: errno) }
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            throw ConnectFailure(errno: code)
        }
        return fd
    }

    /// Gives up a blocking read after `timeout` (whole seconds).
    public static func setReceiveTimeout(_ fd: Int32, _ timeout: Duration) {
        var limit = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    }
}
