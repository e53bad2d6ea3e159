import HTTPServer
import Locking

/// Records what the server reports to its observer; `closed(_:)` gates open as each protocol's first close arrives.
final class ProtocolObserver: HTTPServerObserver {
    private let events = Locked<[String]>([])
    let h2Closed = Gate()

    func connectionOpened(protocol name: String) { events.withLock { $0.append("open \(name)") } }

    func connectionClosed(protocol name: String) {
        events.withLock { $0.append("close \(name)") }
        if name == "h2" { h2Closed.open() }
    }

    var log: [String] { events.withLock { $0 } }
}
