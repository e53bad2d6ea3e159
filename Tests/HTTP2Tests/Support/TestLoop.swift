import HTTP2
import Locking

/// A connection host without sockets: jobs queue up until the test runs them on its own task, which plays the
/// server's loop thread, so every test decides exactly when handler results reach the connection.
final class TestLoop: HTTP2ConnectionHost {
    private struct State {
        var jobs: [@Sendable () -> Void] = []
        var waiter: CheckedContinuation<Void, Never>?
        var outputSignals = 0
        var stopped = false
        var undeliveredOutputBytes = 0
    }
    private let state = Locked(State())

    func execute(onLoop job: @escaping @Sendable () -> Void) {
        let (waiter, runNow) = state.withLock { state -> (CheckedContinuation<Void, Never>?, Bool) in
            guard !state.stopped else { return (nil, true) }
            state.jobs.append(job)
            defer { state.waiter = nil }
            return (state.waiter, false)
        }
        if runNow { return job() }
        waiter?.resume()
    }

    func outputAvailable() {
        state.withLock { $0.outputSignals += 1 }
    }

    var outputSignals: Int { state.withLock { $0.outputSignals } }

    /// What the test says the peer has not received of the output drained so far (0: a peer that keeps up).
    var undeliveredOutputBytes: Int {
        get { state.withLock { $0.undeliveredOutputBytes } }
        set { state.withLock { $0.undeliveredOutputBytes = newValue } }
    }
    var hasJobs: Bool { state.withLock { !$0.jobs.isEmpty } }

    /// Runs the jobs queued so far; returns how many ran.
    @discardableResult
    func runPending() -> Int {
        let jobs = state.withLock { state in
            defer { state.jobs.removeAll() }
            return state.jobs
        }
        for job in jobs { job() }
        return jobs.count
    }

    /// Like the server's loop once it has stopped: runs what is queued, then runs later jobs at once. A handler task
    /// that outlives its connection then finishes (finding the connection gone) instead of waiting forever on a job
    /// nobody runs, a task and loop that would hold each other and leak.
    func stop() {
        state.withLock { $0.stopped = true }
        runPending()
    }

    /// Returns once at least one job is queued.
    func waitForJob() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state in
                if !state.jobs.isEmpty { return true }
                state.waiter = continuation
                return false
            }
            if ready { continuation.resume() }
        }
    }
}
