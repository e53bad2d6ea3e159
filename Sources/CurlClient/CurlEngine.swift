import CCurl
import CCurlShim
import Foundation
import Locking

/// The thread that owns the multi handle, and the queue other threads reach it through.
///
/// One thread loops on `curl_multi_perform` / `curl_multi_poll`; requests and cancellations are queued and
/// announced with `curl_multi_wakeup` (the one libcurl call made from other threads); finished transfers come out of
/// `curl_multi_info_read`. There are no socket or timer callbacks into another event loop: that is the layer where
/// FoundationNetworking's teardown crashes live, and where libcurl's multi_socket mode has regressed across versions
/// (design/upstream-client.md).
final class CurlEngine: Sendable {
    private let multi: MultiHandle
    private let inbox = Locked<[EngineCommand]>([])
    /// The engine thread's state, held here as well so that it is reachable from the process's client (a global)
    /// and not only from the stack of a thread that never returns: LeakSanitizer, which finds a thread's stack only
    /// as well as it can suspend that thread, must never take the transfers in flight for leaks. Only the engine
    /// thread touches it.
    private let loop: EngineLoopOwner

    init() {
        // Once per process (the shared client is created once), before the engine thread exists.
        let status = curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        precondition(status == CURLE_OK, "curl_global_init failed: \(status.rawValue)")
        // CURLOPT_NOSIGNAL (set on every transfer) stops libcurl from ignoring SIGPIPE around its own calls. libcurl
        // sends with MSG_NOSIGNAL on Linux, as the HTTP server does; ignoring the signal process-wide also covers a
        // write from a TLS library path that does not. Nothing in ScanRelay relies on SIGPIPE ending the process.
        signal(SIGPIPE, SIG_IGN)
        guard let handle = curl_multi_init() else { preconditionFailure("curl_multi_init failed") }
        // Idle connections kept for reuse, across all upstreams; libcurl closes the oldest past this.
        _ = scr_multi_setopt_long(handle, CURLMOPT_MAXCONNECTS, 64)
        multi = MultiHandle(raw: handle)
        loop = EngineLoopOwner(EngineLoop(multi: handle, inbox: inbox))
        let thread = Thread { [loop] in
            loop.run()
        }
        thread.name = "scanrelay-curl"
        thread.start()
    }

    func submit(_ command: EngineCommand) {
        inbox.withLock { $0.append(command) }
        curl_multi_wakeup(multi.raw)
    }
}

/// Hands the loop to the engine thread; the thread that creates it only keeps the reference.
private final class EngineLoopOwner: @unchecked Sendable {  // the loop is used by the engine thread alone
    private let loop: EngineLoop

    init(_ loop: EngineLoop) { self.loop = loop }

    func run() -> Never { loop.run() }
}

/// The multi handle, shared with submitters only for `curl_multi_wakeup`, which libcurl documents as thread-safe.
private struct MultiHandle: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer
}

/// Everything the engine thread owns. Used on that thread alone (created before it starts), so it needs no lock.
private final class EngineLoop {
    /// Easy handles kept after use (reset, with their TLS session cache) so a request costs no `curl_easy_init`.
    static let maxIdleHandles = 64
    /// How long `curl_multi_poll` may sleep when nothing is due; libcurl's own timers and wakeups cut it short.
    static let idlePollMilliseconds: Int32 = 60_000

    private let multi: UnsafeMutableRawPointer
    private let inbox: Locked<[EngineCommand]>
    private var transfers: [UnsafeMutableRawPointer: Transfer] = [:]
    private var handleOfTicket: [ObjectIdentifier: UnsafeMutableRawPointer] = [:]
    private var idleHandles: [UnsafeMutableRawPointer] = []

    init(multi: UnsafeMutableRawPointer, inbox: Locked<[EngineCommand]>) {
        self.multi = multi
        self.inbox = inbox
    }

    func run() -> Never {
        var running: Int32 = 0
        while true {
            takeCommands()
            curl_multi_perform(multi, &running)
            collectFinished()
            curl_multi_poll(multi, nil, 0, Self.idlePollMilliseconds, nil)
        }
    }

    /// Starts and cancels what other threads queued. A function of its own so that the queue's copy is released
    /// here, not kept on the stack while the thread sleeps in `curl_multi_poll`.
    private func takeCommands() {
        let commands = inbox.withLock { queue in
            defer { queue.removeAll(keepingCapacity: true) }
            return queue
        }
        for command in commands {
            switch command {
            case .start(let submission): start(submission)
            case .cancel(let ticket): cancel(ticket)
            }
        }
    }

    private func start(_ submission: Submission) {
        if submission.ticket.isCancelled {
            submission.continuation.resume(returning: .failure(.cancelled))
            return
        }
        guard let easy = idleHandles.popLast() ?? curl_easy_init() else {
            submission.continuation.resume(returning: .failure(.other("cannot create a transfer")))
            return
        }
        let transfer = Transfer(submission: submission, easy: easy)
        if let problem = transfer.configure() {
            transfer.releaseHeaders()
            recycle(easy)
            submission.continuation.resume(returning: .failure(problem))
            return
        }
        guard curl_multi_add_handle(multi, easy) == CURLM_OK else {
            transfer.releaseHeaders()
            recycle(easy)
            submission.continuation.resume(returning: .failure(.other("cannot start a transfer")))
            return
        }
        transfers[easy] = transfer
        handleOfTicket[ObjectIdentifier(submission.ticket)] = easy
    }

    /// Removing the easy handle mid-transfer closes its connection (HTTP/1.1) or resets its stream (HTTP/2): the
    /// upstream sees the request abandoned.
    private func cancel(_ ticket: TransferTicket) {
        guard let easy = handleOfTicket[ObjectIdentifier(ticket)] else { return }  // finished, or never started
        finish(easy, with: .failure(.cancelled))
    }

    private func collectFinished() {
        var left: Int32 = 0
        while let message = curl_multi_info_read(multi, &left) {
            var easy: UnsafeMutableRawPointer?
            var code = CURLE_OK
            guard scr_multi_message_done(message, &easy, &code) != 0, let easy, let transfer = transfers[easy] else {
                continue
            }
            finish(easy, with: transfer.outcome(code))
        }
    }

    private func finish(_ easy: UnsafeMutableRawPointer, with result: Result<CurlResponse, CurlClientError>) {
        guard let transfer = transfers.removeValue(forKey: easy) else { return }
        handleOfTicket[ObjectIdentifier(transfer.submission.ticket)] = nil
        curl_multi_remove_handle(multi, easy)
        transfer.releaseHeaders()
        recycle(easy)
        transfer.submission.continuation.resume(returning: result)
    }

    private func recycle(_ easy: UnsafeMutableRawPointer) {
        if idleHandles.count < Self.maxIdleHandles {
            curl_easy_reset(easy)
            idleHandles.append(easy)
        } else {
            curl_easy_cleanup(easy)
        }
    }
}
