import Foundation
import Postgres
import Testing
import ThrowawayPostgres

// Each test awaits events that a bug could withhold forever: the time limit bounds it.
@Suite(.timeLimit(.minutes(1))) struct PostgresListenerTests {
    @Test func notificationsArrive_AndATerminatedConnectionIsReplacedWithACatchUpSignal() async throws {
        let connectionString = try await ThrowawayPostgres.freshDatabase()
        let (events, sink) = AsyncStream.makeStream(of: PostgresListener.Event.self)
        let listener = try PostgresListener(
            ConnectionSettings(connectionString), channel: "scan_events",
            configuration: .init(idleCheck: .seconds(1), initialBackoff: .milliseconds(50))
        ) { sink.yield($0) }
        defer { listener.stop() }
        var iterator = events.makeAsyncIterator()
        #expect(await iterator.next() == .listening(reconnected: false))

        let sender = try PostgresConnection(ConnectionSettings(connectionString))
        try sender.execute("SELECT pg_notify('scan_events', $1)", ["41"])
        try sender.execute("SELECT pg_notify('other_channel', 'ignored')")
        try sender.execute("SELECT pg_notify('scan_events', $1)", ["42"])
        let first = await iterator.next()
        let second = await iterator.next()
        guard case .notification(let one) = first, case .notification(let two) = second else {
            Issue.record("expected two notifications, got \(String(describing: first)), \(String(describing: second))")
            return
        }
        #expect([one.payload, two.payload] == ["41", "42"])
        #expect(one.channel == "scan_events" && one.senderPID == sender.backendPID)

        let killed = listener.backendPID
        #expect(killed != 0)
        try sender.execute("SELECT pg_terminate_backend($1::int)", [PostgresValue(Int(killed))])
        var sawDisconnect = false
        var reconnected = false
        for _ in 0..<10 {
            switch await iterator.next() {
            case .disconnected(let error): sawDisconnect = error.kind == .connectionLost || error.kind == .connectionFailed
            case .listening(reconnected: true): reconnected = true
            default: break
            }
            if reconnected { break }
        }
        #expect(sawDisconnect && reconnected)
        #expect(listener.backendPID != killed && listener.backendPID != 0)
        try sender.execute("SELECT pg_notify('scan_events', $1)", ["43"])
        guard case .notification(let after) = await iterator.next() else {
            Issue.record("no notification after the reconnect")
            return
        }
        #expect(after.payload == "43")
    }

    @Test func stopEndsTheThreadPromptly() async throws {
        let listener = try PostgresListener(
            ConnectionSettings(try await ThrowawayPostgres.freshDatabase()), channel: "quiet",
            configuration: .init(idleCheck: .seconds(60))
        ) { _ in }
        try await Task.sleep(for: .milliseconds(100))
        await listener.shutdown()
        listener.stop()
        #expect(listener.backendPID == 0)
    }

    @Test func aChannelNameThatIsNotAnIdentifierIsRefused() throws {
        #expect(throws: PostgresError.self) {
            try PostgresListener(ConnectionSettings("host=/nonexistent"), channel: "x; DROP TABLE scans") { _ in }
        }
    }
}
