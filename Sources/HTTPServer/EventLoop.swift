import CEpoll
import Dispatch
import Foundation
import Glibc
import Locking
import Synchronization

/// One thread with its own epoll instance. It owns its connections, runs their I/O and their timers, and is the task
/// executor of their handlers, so a handler that does not suspend elsewhere answers without any thread hop.
///
/// `@unchecked Sendable`: the fields below the `Loop thread only` mark are touched only on the loop's thread
/// (`inEventLoop`); other threads reach the loop only through `execute` and `enqueue`, which go through `inbox`.
final class EventLoop: TaskExecutor, @unchecked Sendable {
    private enum Work {
        case job(UnownedJob)
        case closure(@Sendable () -> Void)
    }

    private struct Inbox {
        var work: [Work] = []
        var stopped = false
    }

    /// epoll user data that is not a connection token (a token is a generation and a file descriptor).
    static let wakeToken = UInt64.max
    static let listenerToken = UInt64.max - 1
    /// How often timeouts are checked and the shutdown grace is watched; the timeout resolution.
    static let tickInterval = Duration.milliseconds(250)
    private static let maxEventsPerWait: Int32 = 256
    private static let readBufferSize = 64 * 1024
    private static let maxWorkRounds = 64

    let index: Int
    let context: ServerContext
    private let epollFD: Int32
    private let wakeFD: Int32
    private let inbox = Locked(Inbox())
    private let threadID = Atomic<UInt>(0)

    // MARK: Loop thread only
    private var localWork: [Work] = []
    private var drainBuffer: [Work] = []
    private var running = true
    /// The time of the current loop turn; what connections stamp their events with.
    private(set) var now = ContinuousClock.now
    private var nextTick = ContinuousClock.now
    private(set) var dateCache = HTTPDateCache()
    /// Shared by every connection of the loop: bytes are consumed before the next read.
    let readBuffer: UnsafeMutableRawBufferPointer
    /// Shared scratch space for serializing a response before it is written.
    var writeScratch: [UInt8] = []
    var connections = ConnectionTable()
    /// `send` calls made by this loop's connections, for `HTTPServerStatistics`.
    var socketWrites = 0
    var acceptor: Acceptor?
    var shutdownDeadline: ContinuousClock.Instant?

    init(index: Int, context: ServerContext) throws {
        self.index = index
        self.context = context
        // Both descriptors are made before either field is set: once every stored property is set, a throwing
        // initializer still runs `deinit`, whose closes would then close numbers another thread may have reused.
        (epollFD, wakeFD) = try Self.makeDescriptors()
        readBuffer = .allocate(byteCount: Self.readBufferSize, alignment: 16)
        writeScratch.reserveCapacity(16 * 1024)
    }

    /// An epoll instance with an eventfd registered in it for wake-ups; nothing stays open on failure.
    private static func makeDescriptors() throws -> (epoll: Int32, wake: Int32) {
        let epoll = cepoll_create()
        guard epoll >= 0 else { throw SocketError("epoll_create1") }
        let wake = cepoll_eventfd()
        guard wake >= 0 else {
            let error = SocketError("eventfd")  // errno, before `close` can change it
            close(epoll)
            throw error
        }
        guard cepoll_ctl(epoll, EPOLL_CTL_ADD, wake, CEPOLL_IN, Self.wakeToken) == 0 else {
            let error = SocketError("epoll_ctl")
            close(wake)
            close(epoll)
            throw error
        }
        return (epoll, wake)
    }

    deinit {
        // Closed here rather than when the thread exits: a late `execute` may still write to the eventfd.
        close(wakeFD)
        close(epollFD)
        readBuffer.deallocate()
    }

    var inEventLoop: Bool { threadID.load(ordering: .relaxed) == UInt(pthread_self()) }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "scanrelay-loop-\(index)"
        thread.start()
    }

    // MARK: Work from anywhere

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        if inEventLoop {
            localWork.append(.job(job))
        } else if !enqueueRemote(.job(job)) {
            // The loop is gone but tasks that prefer it (a handler that outlived its connection) must still finish.
            DispatchQueue.global().async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
        }
    }

    /// Runs `work` on the loop thread soon. Returns false, without running it, once the loop has stopped.
    @discardableResult
    func execute(_ work: @escaping @Sendable () -> Void) -> Bool {
        if inEventLoop {
            localWork.append(.closure(work))
            return true
        }
        return enqueueRemote(.closure(work))
    }

    private func enqueueRemote(_ work: Work) -> Bool {
        let (accepted, wasEmpty) = inbox.withLock { inbox -> (Bool, Bool) in
            guard !inbox.stopped else { return (false, false) }
            inbox.work.append(work)
            return (true, inbox.work.count == 1)
        }
        // One wake-up per batch: whoever finds the inbox non-empty knows the loop has been woken since its last drain.
        if wasEmpty {
            var one: UInt64 = 1
            _ = write(wakeFD, &one, 8)
        }
        return accepted
    }

    // MARK: The loop

    private func run() {
        threadID.store(UInt(pthread_self()), ordering: .relaxed)
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: Int(Self.maxEventsPerWait))
        defer { events.deallocate() }
        dateCache.refresh()
        while running {
            runPendingWork()
            guard running else { break }
            let count = epoll_wait(epollFD, events, Self.maxEventsPerWait, waitTimeoutMilliseconds())
            now = .now
            dateCache.refresh()
            if count > 0 {
                for i in 0..<Int(count) {
                    dispatch(flags: cepoll_event_flags(events, Int32(i)), token: cepoll_event_data(events, Int32(i)))
                }
            }
            if now >= nextTick {
                nextTick = now + Self.tickInterval
                tick()
            }
        }
        finishStopping()
    }

    private func dispatch(flags: UInt32, token: UInt64) {
        switch token {
        case Self.wakeToken:
            var value: UInt64 = 0
            _ = read(wakeFD, &value, 8)
        case Self.listenerToken:
            acceptConnections()
        default:
            connections.connection(for: token)?.handleEvents(flags)
        }
    }

    private func waitTimeoutMilliseconds() -> Int32 {
        if !localWork.isEmpty { return 0 }
        guard connections.count > 0 || shutdownDeadline != nil || acceptor?.isPaused == true else { return -1 }
        let remaining = ContinuousClock.now.duration(to: nextTick).components
        let milliseconds = remaining.seconds * 1000 + remaining.attoseconds / 1_000_000_000_000_000 + 1
        return Int32(clamping: max(0, milliseconds))
    }

    /// Runs what other threads sent and what this thread queued (handler jobs). Bounded in rounds, so a task that
    /// keeps rescheduling itself cannot starve I/O: leftovers make the next `epoll_wait` return at once.
    private func runPendingWork() {
        var batch = drainBuffer
        drainBuffer = []
        swap(&batch, &localWork)
        inbox.withLock { inbox in
            batch.append(contentsOf: inbox.work)
            inbox.work.removeAll(keepingCapacity: true)
        }
        var rounds = 0
        while !batch.isEmpty && rounds < Self.maxWorkRounds {
            for work in batch {
                switch work {
                case .job(let job): job.runSynchronously(on: asUnownedTaskExecutor())
                case .closure(let closure): closure()
                }
            }
            batch.removeAll(keepingCapacity: true)
            swap(&batch, &localWork)
            rounds += 1
        }
        localWork.insert(contentsOf: batch, at: 0)
        batch.removeAll(keepingCapacity: true)
        drainBuffer = batch
    }

    func stop() {
        running = false
    }

    private func finishStopping() {
        let remaining = inbox.withLock { inbox -> [Work] in
            inbox.stopped = true
            defer { inbox.work = [] }
            return inbox.work
        }
        localWork.append(contentsOf: remaining)
        while !localWork.isEmpty { runPendingWork() }
        acceptor = nil
        threadID.store(0, ordering: .relaxed)
        context.loopStopped()
    }

    // MARK: epoll registration

    func register(_ fd: Int32, events: UInt32, token: UInt64) -> Bool {
        cepoll_ctl(epollFD, EPOLL_CTL_ADD, fd, events, token) == 0
    }

    func modify(_ fd: Int32, events: UInt32, token: UInt64) {
        _ = cepoll_ctl(epollFD, EPOLL_CTL_MOD, fd, events, token)
    }

    func deregister(_ fd: Int32) {
        _ = cepoll_ctl(epollFD, EPOLL_CTL_DEL, fd, 0, 0)
    }
}
