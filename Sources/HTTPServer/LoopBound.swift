/// Carries an object that lives on one event loop across a `@Sendable` boundary (a handler's Task, a body writer).
///
/// `@unchecked Sendable` is sound because the value is never touched off its loop's thread: `run` executes the body
/// in place when already on that thread and otherwise enqueues it there. There is no other way to reach the value.
struct LoopBound<Value: AnyObject>: @unchecked Sendable {
    let loop: EventLoop
    private let value: Value

    init(_ value: Value, loop: EventLoop) {
        precondition(loop.inEventLoop, "a LoopBound is made on its own loop")
        self.value = value
        self.loop = loop
    }

    /// Runs `body` with the value on its loop. Returns false when the loop has stopped and `body` will never run.
    @discardableResult
    func run(_ body: @escaping @Sendable (Value) -> Void) -> Bool {
        if loop.inEventLoop {
            body(value)
            return true
        }
        return loop.execute { body(self.value) }
    }
}
