import Foundation
import Postgres
import Testing
import ThrowawayPostgres

/// The database goes away and comes back: the pool and the listener recover without being made again.
@Suite(.timeLimit(.minutes(1))) struct DatabaseOutageTests {
    @Test func poolAndListenerRecoverAfterTheDatabaseRestarts() async throws {
        let server = try await ThrowawayPostgres.privateServer()
        do {
            try await outageAndRecovery(server)
        } catch {
            try? await server.stop()
            throw error
        }
        try await server.stop()
    }

    private func outageAndRecovery(_ server: ThrowawayPostgres.PrivateServer) async throws {
        let settings = try ConnectionSettings(server.connectionString)
        let pool = PostgresPool(settings, configuration: .init(size: 2, acquireTimeout: .seconds(5)))
        defer { pool.close() }
        let (events, sink) = AsyncStream.makeStream(of: PostgresListener.Event.self)
        let listener = try PostgresListener(
            settings, channel: "outage", configuration: .init(idleCheck: .seconds(1), initialBackoff: .milliseconds(50), maxBackoff: .milliseconds(200))
        ) { sink.yield($0) }
        defer { listener.stop() }
        var iterator = events.makeAsyncIterator()
        #expect(await iterator.next() == .listening(reconnected: false))
        try await pool.ping()

        try await server.down()
        var disconnected = false
        for _ in 0..<20 where !disconnected {
            if case .disconnected = await iterator.next() { disconnected = true }
        }
        #expect(disconnected)
        // Every call fails, and says why, while the database is down — on a pool that was connected and on one
        // made during the outage (a replica starting while the database is down).
        await #expect {
            try await pool.ping()
        } throws: { error in
            [.connectionLost, .connectionFailed].contains((error as? PostgresError)?.kind)
        }
        let startedDuringOutage = PostgresPool(settings, configuration: .init(size: 1, acquireTimeout: .seconds(5)))
        defer { startedDuringOutage.close() }
        await #expect {
            try await startedDuringOutage.ping()
        } throws: { error in
            (error as? PostgresError)?.kind == .connectionFailed
        }

        try await server.up()
        var reconnected = false
        for _ in 0..<100 where !reconnected {
            if await iterator.next() == .listening(reconnected: true) { reconnected = true }
        }
        #expect(reconnected)
        // Ended connections were noticed and replaced: the first call after the restart answers.
        try await pool.ping()
        try await startedDuringOutage.ping()
        let sender = try PostgresConnection(settings)
        try sender.execute("NOTIFY outage, 'back'")
        var payload: String?
        for _ in 0..<10 where payload == nil {
            if case .notification(let notification) = await iterator.next() { payload = notification.payload }
        }
        #expect(payload == "back")
    }
}
