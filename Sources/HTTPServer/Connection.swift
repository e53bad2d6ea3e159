import CEpoll
import Glibc

/// A socket on one event loop: reads into the loop's buffer, writes with an outbound buffer that only holds what
/// the kernel would not take, keeps the deadlines, and passes bytes to its protocol handler.
///
/// Confined to its loop's thread. Closing is graceful where it can be: after the last response the write side is
/// shut and input is drained briefly ("lingering"), so the peer reads the response instead of a reset.
final class Connection {
    let fd: Int32
    let token: UInt64
    let loop: EventLoop
    let remoteAddress: String
    var deadlines: ConnectionDeadlines<ContinuousClock.Instant>
    /// Nil until the first bytes tell which protocol the peer speaks.
    private(set) var handler: (any ConnectionProtocolHandler)?
    private var sniffer = HTTP2PrefaceSniffer()
    private(set) var protocolName = "http/1.1"
    private(set) var interest = CEPOLL_IN | CEPOLL_RDHUP

    private var outbound: [UInt8] = []
    private var outboundStart = 0
    private(set) var isClosed = false
    private var inputEnded = false
    private var closeWhenFlushed = false
    private var lingering = false

    /// Kept across responses unless a large one grew it.
    private static let retainedOutboundCapacity = 64 * 1024

    init(fd: Int32, token: UInt64, loop: EventLoop, remoteAddress: String, acceptedAt now: ContinuousClock.Instant) {
        self.fd = fd
        self.token = token
        self.loop = loop
        self.remoteAddress = remoteAddress
        deadlines = ConnectionDeadlines(timeouts: loop.context.configuration.timeouts, acceptedAt: now)
    }

    var outboundBytes: Int { outbound.count - outboundStart }

    /// What was written that the peer has not received: the output queued here plus the kernel's send queue (bytes
    /// the peer has not acknowledged). For a peer that stopped reading, the kernel's share is everything its receive
    /// buffer refused, and it may grow to the autotuned send buffer (`tcp_wmem`, 4 MiB by default): a bound on
    /// what a reader may leave unread must count it, or it would only start megabytes late. One `ioctl`: asked
    /// only by responses that set such a bound.
    var unreceivedBytes: Int {
        guard !isClosed else { return 0 }
        return outboundBytes + max(0, Int(cepoll_unacknowledged_bytes(fd)))
    }

    // MARK: Events

    func handleEvents(_ flags: UInt32) {
        if flags & (CEPOLL_ERR | CEPOLL_HUP) != 0 {
            // Reset, or both directions shut: nothing can be delivered any more.
            close()
            return
        }
        if flags & CEPOLL_OUT != 0 { flush() }
        if !isClosed && flags & (CEPOLL_IN | CEPOLL_RDHUP) != 0 { readOnce() }
    }

    /// One read per readiness event: level-triggered epoll reports again if more is waiting, which keeps loops fair.
    private func readOnce() {
        let buffer = loop.readBuffer
        let count = recv(fd, buffer.baseAddress, buffer.count, 0)
        if count > 0 {
            guard !lingering else { return }
            deliver(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            guard !isClosed else { return }
            deadlines.bytesReceived(readingState, now: loop.now)
            updateInterest()
        } else if count == 0 {
            inputEnded = true
            updateInterest()
            if lingering || handler == nil {
                close()
            } else {
                handler?.inputEnded()
            }
        } else if errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR {
            close()
        }
    }

    private func deliver(_ bytes: UnsafeRawBufferPointer) {
        if let handler {
            handler.receive(bytes)
            return
        }
        let verdict = sniffer.inspect(bytes)
        guard verdict != .needMoreBytes else { return }
        let chosen = verdict == .http2 ? makeHTTP2Handler(upgradeRequest: nil) ?? makeHTTP1Handler() : makeHTTP1Handler()
        install(chosen)
        let held = sniffer.heldBytes
        sniffer = HTTP2PrefaceSniffer()
        if !held.isEmpty { held.withUnsafeBytes { chosen.receive($0) } }
        if !isClosed { chosen.receive(bytes) }
    }

    private func makeHTTP1Handler() -> any ConnectionProtocolHandler {
        HTTP1Handler(connection: self, responder: loop.context.responder, configuration: loop.context.configuration)
    }

    /// Puts a handler in charge; a change of protocol is reported to the observer as a close and an open.
    func install(_ newHandler: any ConnectionProtocolHandler) {
        if newHandler.protocolName != protocolName {
            loop.context.observer?.connectionClosed(protocol: protocolName)
            loop.context.observer?.connectionOpened(protocol: newHandler.protocolName)
        }
        protocolName = newHandler.protocolName
        handler = newHandler
    }

    func timedOut(_ expiry: ConnectionDeadlines<ContinuousClock.Instant>.Expiry) {
        switch expiry {
        case .header(bytesReceived: true), .body:
            if let handler { handler.requestTimedOut() } else { close() }
        case .idle:
            if let handler { handler.idleTimedOut() } else { close() }
        case .header(bytesReceived: false), .write, .linger:
            close()
        }
    }

    func beginGracefulShutdown() {
        if let handler { handler.beginGracefulShutdown() } else { close() }
    }

    // MARK: For handlers

    /// The handler's reading state or appetite changed without input.
    func handlerStateChanged() {
        guard !isClosed else { return }
        deadlines.readingChanged(to: readingState, now: loop.now)
        updateInterest()
    }

    /// Writes at once when nothing is queued ahead (one syscall per response); queues what the kernel did not take.
    func send(_ bytes: [UInt8]) {
        guard !isClosed, !bytes.isEmpty else { return }
        if outboundBytes > 0 {
            outbound.append(contentsOf: bytes)
            return
        }
        let written = bytes.withUnsafeBytes { writeSome($0) }
        guard !isClosed else { return }
        if written < bytes.count { outbound.append(contentsOf: bytes[written...]) }
        afterWrite(progress: written > 0)
    }

    /// Closes once everything queued is written (then lingers briefly, see the type's comment).
    func closeAfterFlush() {
        guard !isClosed, !closeWhenFlushed else { return }
        closeWhenFlushed = true
        if outboundBytes == 0 { beginLingering() }
    }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        Glibc.close(fd)
        outbound = []
        loop.connectionDidClose(self)
        // Handlers may hold their connection strongly; dropping the handler here breaks that cycle.
        let closedHandler = handler
        handler = nil
        closedHandler?.connectionClosed()
    }

    // MARK: Writing

    /// Hands the kernel what it takes now of the queued output. Called by the loop on writability, and by a handler
    /// that must know how much is really unsent before deciding (a producer on the loop thread writes several times
    /// between two readiness events).
    func flush() {
        guard outboundBytes > 0 else { return }
        let written = outbound.withUnsafeBytes { writeSome(UnsafeRawBufferPointer(rebasing: $0[outboundStart...])) }
        guard !isClosed else { return }
        outboundStart += written
        if outboundBytes == 0 {
            outbound.removeAll(keepingCapacity: outbound.capacity <= Self.retainedOutboundCapacity)
            outboundStart = 0
        } else if outboundStart >= Self.retainedOutboundCapacity && outboundStart * 2 >= outbound.count {
            outbound.removeFirst(outboundStart)
            outboundStart = 0
        }
        afterWrite(progress: written > 0)
        if outboundBytes <= loop.context.configuration.outboundLowWaterMark { handler?.outputDrained() }
    }

    /// Writes what the socket takes now; closes on a broken connection. Returns the bytes written.
    private func writeSome(_ bytes: UnsafeRawBufferPointer) -> Int {
        var total = 0
        while total < bytes.count {
            let count = Glibc.send(fd, bytes.baseAddress! + total, bytes.count - total, Int32(MSG_NOSIGNAL))
            loop.socketWrites &+= 1
            if count > 0 {
                total += count
            } else if count < 0 && errno == EINTR {
                continue
            } else if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                break
            } else {
                close()
                break
            }
        }
        return total
    }

    private func afterWrite(progress: Bool) {
        deadlines.wrote(progress: progress, pending: outboundBytes > 0, now: loop.now)
        if outboundBytes == 0 && closeWhenFlushed && !lingering { beginLingering() }
        updateInterest()
    }

    private func beginLingering() {
        guard !inputEnded else { return close() }
        lingering = true
        shutdown(fd, Int32(SHUT_WR))
        deadlines.readingChanged(to: .lingering, now: loop.now)
        updateInterest()
    }

    // MARK: Reading state

    private var readingState: ConnectionDeadlines<ContinuousClock.Instant>.Reading {
        if lingering { return .lingering }
        return handler?.readingState ?? .head
    }

    private func updateInterest() {
        guard !isClosed else { return }
        let reads = !inputEnded && (lingering || (handler?.wantsInput ?? true))
        let wanted = (reads ? CEPOLL_IN | CEPOLL_RDHUP : 0) | (outboundBytes > 0 ? CEPOLL_OUT : 0)
        guard wanted != interest else { return }
        interest = wanted
        loop.modify(fd, events: wanted, token: token)
    }
}
