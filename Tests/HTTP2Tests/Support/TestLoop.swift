import HTTP2
import Synchronization

/// A connection host without sockets: jobs queue up until the test runs them on its own task, which plays the
/// server's loop thread, so every test decides exactly when handler results reach the connection.
final class TestLoop: HTTP2ConnectionHost {
    private struct State {
        var jobs: [@Sendable () -> Void] = []
        var waiter: CheckedContinuation<Void, Never>?
        var outputSignals = 0
    }
    private let state = Mutex(State())

    func execute(onLoop job: @escaping @Sendable () -> Void) {
        let waiter = state.withLock { state in
            state.jobs.append(job)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    func outputAvailable() {
        state.withLock { $0.outputSignals += 1 }
    }

    var outputSignals: Int { state.withLock { $0.outputSignals } }
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
