import DequeModule
import Locking

/// The multi-arch indexes learned from polling an upstream (Harbor's artifact `references`), by index `imageId`.
///
/// Bounded: past `capacity` the index learned longest ago is forgotten (a poll of it learns it again). Kept in memory
/// only: after a restart an index is known again once a watch on it polls.
public final class ImageIndexTable: Sendable {
    private struct State {
        var indexes: [String: ImageIndex] = [:]
        /// Index ids in the order they were first learned; the oldest is forgotten first.
        var order = Deque<String>()
    }

    public let capacity: Int
    private let state = Locked(State())

    public init(capacity: Int = 10_000) {
        self.capacity = max(1, capacity)
    }

    /// Records (or replaces) what an index's children are.
    public func record(_ index: ImageIndex) {
        state.withLock { state in
            if state.indexes.updateValue(index, forKey: index.imageId) == nil {
                state.order.append(index.imageId)
            }
            while state.indexes.count > capacity, let oldest = state.order.popFirst() {
                state.indexes[oldest] = nil
            }
        }
    }

    /// The index `imageId` names, if it is one learned.
    public func index(_ imageId: String) -> ImageIndex? {
        state.withLock { $0.indexes[imageId] }
    }

    public var count: Int { state.withLock { $0.indexes.count } }
}
