import CEpoll
import Glibc
import HTTPCore
import Synchronization

extension EventLoop {
    /// Bounds one accept batch so a connection storm cannot starve requests already being served.
    private static let maxAcceptsPerWake = 256

    /// Called before the loop's thread starts.
    func install(_ acceptor: Acceptor) throws {
        guard register(acceptor.fd, events: CEPOLL_IN, token: Self.listenerToken) else { throw SocketError("epoll_ctl(listener)") }
        self.acceptor = acceptor
    }

    func acceptConnections() {
        guard let acceptor else { return }
        for _ in 0..<Self.maxAcceptsPerWake {
            var address = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = cepoll_accept(acceptor.fd, &address, &length)
            guard fd >= 0 else {
                switch errno {
                case EAGAIN, EWOULDBLOCK: return
                case EINTR, ECONNABORTED, EPROTO: continue
                case EINVAL:
                    // The listener was shut down by `beginGracefulShutdown`; this loop closes it shortly.
                    deregister(acceptor.fd)
                    return
                default:
                    context.logger.warning("accept failed; pausing until the next tick", metadata: ["error": "\(SocketError("accept"))"])
                    deregister(acceptor.fd)
                    acceptor.isPaused = true
                    return
                }
            }
            let open = context.openConnections.add(1, ordering: .relaxed).newValue
            guard open <= context.configuration.maxConnections else {
                refuseOverloaded(fd)
                continue
            }
            Socket.setNoDelay(fd)
            let remoteAddress = Socket.numericHost(address)
            let target = acceptor.nextLoop()
            if target === self {
                adopt(fd, remoteAddress: remoteAddress)
            } else if !target.execute({ target.adopt(fd, remoteAddress: remoteAddress) }) {
                discard(fd)
            }
        }
    }

    /// Past `maxConnections`: a fixed 503 (best effort, the socket buffer is empty) and close.
    private func refuseOverloaded(_ fd: Int32) {
        var response: [UInt8] = []
        let problem = HTTPResponse.problem(.serviceUnavailable, "the server is at its connection limit; retry later")
        guard case .bytes(let body) = problem.body else { preconditionFailure("problem responses have bytes") }
        HTTP1ResponseEncoder.appendHead(
            status: problem.status, headers: problem.headers, framing: .contentLength(body.count),
            connection: .close, dateFieldLine: dateCache.fieldLine, to: &response)
        response.append(contentsOf: body)
        _ = send(fd, response, response.count, Int32(MSG_NOSIGNAL))
        shutdown(fd, Int32(SHUT_WR))
        discard(fd)
    }

    private func discard(_ fd: Int32) {
        close(fd)
        context.openConnections.subtract(1, ordering: .relaxed)
    }

    func adopt(_ fd: Int32, remoteAddress: String) {
        guard shutdownDeadline == nil else { return discard(fd) }
        let token = connections.makeToken(for: fd)
        let connection = Connection(fd: fd, token: token, loop: self, remoteAddress: remoteAddress, acceptedAt: now)
        guard register(fd, events: connection.interest, token: token) else { return discard(fd) }
        connections.insert(connection)
        context.observer?.connectionOpened(protocol: connection.protocolName)
    }

    /// Called by a connection as it closes.
    func connectionDidClose(_ connection: Connection) {
        connections.remove(connection)
        context.openConnections.subtract(1, ordering: .relaxed)
        context.observer?.connectionClosed(protocol: connection.protocolName)
        if shutdownDeadline != nil && connections.count == 0 { stop() }
    }

    /// Enforces timeouts and the shutdown grace; resumes a paused acceptor.
    func tick() {
        if let acceptor, acceptor.isPaused, register(acceptor.fd, events: CEPOLL_IN, token: Self.listenerToken) {
            acceptor.isPaused = false
        }
        if let shutdownDeadline, now >= shutdownDeadline {
            connections.all.forEach { $0.close() }
            stop()
            return
        }
        for connection in connections.all {
            if let expiry = connection.deadlines.expiry(at: now) { connection.timedOut(expiry) }
        }
    }

    /// Refuses new connections, closes idle ones and gives the rest `grace` to finish.
    func beginGracefulShutdown(grace: Duration) {
        guard shutdownDeadline == nil else { return }
        shutdownDeadline = .now + grace
        if let acceptor {
            close(acceptor.fd)
            self.acceptor = nil
        }
        connections.all.forEach { $0.beginGracefulShutdown() }
        if connections.count == 0 { stop() }
    }

    /// For the package's tests: what the loop holds right now.
    func statistics() -> HTTPServerStatistics {
        let all = connections.all
        return HTTPServerStatistics(
            openConnections: all.count, bufferedOutboundBytes: all.reduce(0) { $0 + $1.outboundBytes },
            socketWrites: socketWrites)
    }
}
