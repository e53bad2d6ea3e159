import Locking

/// The registry's handle for each label set, remembered after the first use.
///
/// `PrometheusCollectorRegistry.make…` returns the same handle for the same name and labels, but finding it costs a
/// descriptor, a label array, name validation and a locked lookup on every call — a quarter of a `GET /healthz`
/// before this cache. Label sets are bounded (route patterns, configured sources, fixed outcome words), and so is
/// the cache.
final class MetricHandles<Key: Hashable & Sendable, Handle: Sendable>: Sendable {
    private let handles = Locked<[Key: Handle]>([:])

    /// The handle for `key`, made by `make` (the registry call) the first time only.
    func handle(_ key: Key, make: () -> Handle) -> Handle {
        if let handle = handles.withLock({ $0[key] }) { return handle }
        // Made outside the lock: the registry has its own, and returns the same handle to a racing second caller.
        let handle = make()
        handles.withLock { $0[key] = handle }
        return handle
    }
}
