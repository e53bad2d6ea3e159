#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Locking

/// One dedicated connection, on its own thread, that LISTENs on a channel and hands each NOTIFY to `handler`.
///
/// Notifications are hints, never the truth: one sent while the connection was down is lost. So the handler hears
/// ``Event/listening`` each time LISTEN is in place — first at start, then after every reconnect — and must then read
/// what it may have missed (LISTEN first, catch up second, or a change between the two is never seen). The
/// connection is checked with a query after `idleCheck` without traffic, so a dead one is found even when nothing
/// is being notified.
public final class PostgresListener: Sendable {
    public enum Event: Sendable, Hashable {
        /// LISTEN is in place; `reconnected` is false the first time. Catch up now.
        case listening(reconnected: Bool)
        case notification(PostgresNotification)
        /// The connection failed or broke; reconnecting (with backoff) follows.
        case disconnected(PostgresError)
    }

    public struct Configuration: Sendable {
        public var idleCheck: Duration
        /// The first wait before reconnecting; doubles up to `maxBackoff`.
        public var initialBackoff: Duration
        public var maxBackoff: Duration

        public init(idleCheck: Duration = .seconds(5), initialBackoff: Duration = .milliseconds(100), maxBackoff: Duration = .seconds(5)) {
            self.idleCheck = idleCheck
            self.initialBackoff = initialBackoff
            self.maxBackoff = maxBackoff
        }
    }

    private let settings: ConnectionSettings
    private let channel: String
    private let configuration: Configuration
    private let handler: @Sendable (Event) -> Void
    /// Written to by `stop()` to wake the thread's poll().
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let thread: Locked<DedicatedThread?> = Locked(nil)
    private let backend = Locked<Int32>(0)

    /// Starts listening on `channel` (an identifier: letters, digits, `_`). `handler` runs on the listener's thread:
    /// it must return quickly (hand the work to a task).
    public init(
        _ settings: ConnectionSettings, channel: String, configuration: Configuration = Configuration(),
        handler: @escaping @Sendable (Event) -> Void
    ) throws(PostgresError) {
        guard !channel.isEmpty, channel.utf8.count < 64,
            channel.utf8.allSatisfy({ $0 == UInt8(ascii: "_") || (0x30...0x39).contains($0) || (0x61...0x7A).contains($0) })
        else {
            throw PostgresError(.other, message: "a channel name is lower-case letters, digits and _ (at most 63)")
        }
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw PostgresError(.other, message: "pipe() failed: errno \(errno)") }
        _ = fcntl(fds[0], F_SETFL, O_NONBLOCK)
        _ = fcntl(fds[1], F_SETFL, O_NONBLOCK)
        wakeRead = fds[0]
        wakeWrite = fds[1]
        self.settings = settings
        self.channel = channel
        self.configuration = configuration
        self.handler = handler
        thread.withLock { $0 = DedicatedThread.start { [self] in run() } }
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    /// The server process of the current connection (0 while disconnected): for tests that kill it.
    public var backendPID: Int32 { backend.withLock { $0 } }

    /// Ends the thread (and closes its connection). Idempotent; returns once the thread has ended, which may take a
    /// connect or a check query: from async code, call ``shutdown()``.
    public func stop() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
        thread.withLock { thread in
            defer { thread = nil }
            return thread
        }?.join()
    }

    /// ``stop()`` from async code: the thread is joined on a thread of its own (it may be inside a connect or a
    /// check query), so no Swift concurrency thread waits meanwhile.
    public func shutdown() async {
        await DedicatedThread.offload { [self] in stop() }
    }

    private func run() {
        var backoff = configuration.initialBackoff
        var everListened = false
        while !stopRequested() {
            let connection: PostgresConnection
            do {
                connection = try PostgresConnection(settings, session: .init(statementTimeout: .seconds(10), idleInTransactionTimeout: nil))
                try connection.execute("LISTEN \(channel)")
            } catch {
                handler(.disconnected(error))
                if sleep(backoff) { return }
                backoff = min(backoff * 2, configuration.maxBackoff)
                continue
            }
            backoff = configuration.initialBackoff
            backend.withLock { $0 = connection.backendPID }
            handler(.listening(reconnected: everListened))
            everListened = true
            let error = listen(on: connection)
            backend.withLock { $0 = 0 }
            guard let error else { return }
            handler(.disconnected(error))
        }
    }

    /// Delivers notifications until the connection fails (returns the error) or stop is asked (returns nil).
    private func listen(on connection: PostgresConnection) -> PostgresError? {
        let idleMilliseconds = Int32(clamping: configuration.idleCheck.nanoseconds / 1_000_000)
        while true {
            var descriptors = [
                pollfd(fd: connection.socket, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&descriptors, 2, idleMilliseconds)
            if ready < 0, errno == EINTR { continue }
            if descriptors[1].revents != 0 { return nil }
            do {
                if ready == 0 {
                    // Quiet for a while: prove the connection still answers (notifications that arrive meanwhile
                    // are kept by libpq and delivered below).
                    try connection.execute("SELECT 1")
                } else {
                    try connection.consumeInput()
                }
            } catch {
                return PostgresError(.connectionLost, sqlState: error.sqlState, message: error.message)
            }
            while let notification = connection.nextNotification() {
                handler(.notification(notification))
            }
            if !connection.isConnected {
                return PostgresError(.connectionLost, message: "the LISTEN connection closed")
            }
        }
    }

    /// Waits `duration` unless stop is asked first; returns whether it was.
    private func sleep(_ duration: Duration) -> Bool {
        var descriptor = pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(clamping: duration.nanoseconds / 1_000_000)
        while true {
            let ready = poll(&descriptor, 1, milliseconds)
            if ready < 0, errno == EINTR { continue }
            return ready > 0
        }
    }

    private func stopRequested() -> Bool {
        var descriptor = pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) > 0
    }
}
