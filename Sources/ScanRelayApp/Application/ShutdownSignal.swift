import Locking

/// Fired once when graceful shutdown begins, so long-lived requests (long-polls, event streams) can answer or end
/// at once instead of holding the server past its grace period. A long-poll hands it to its one wait (`endingOn:`);
/// an event stream races `wait()` against its writers.
typealias ShutdownSignal = Latch
