import Foundation
import Postgres
import PostgresState
import ScanCore
import ThrowawayPostgres

/// A fresh, migrated database with one or more replicas' worth of state (each its own pool, as two processes would
/// have).
struct TestDatabase {
    let connectionString: String
    let replicas: [PostgresScanState]

    static func make(replicas count: Int = 1, poolSize: Int = 4) async throws -> TestDatabase {
        let connectionString = try await ThrowawayPostgres.freshDatabase()
        let settings = try ConnectionSettings(connectionString)
        let replicas = (0..<count).map { _ in
            PostgresScanState(pool: PostgresPool(settings, configuration: .init(size: poolSize, acquireTimeout: .seconds(30))))
        }
        _ = try await SchemaMigrator.migrate(replicas[0].pool)
        return TestDatabase(connectionString: connectionString, replicas: replicas)
    }

    var state: PostgresScanState { replicas[0] }

    func close() {
        for replica in replicas { replica.pool.close() }
    }

    /// A connection of the test's own, for looking behind the API.
    @discardableResult
    func inspect<Result>(_ body: (PostgresConnection) throws -> Result) throws -> Result {
        try body(PostgresConnection(ConnectionSettings(connectionString)))
    }

    func count(_ table: String) throws -> Int64 {
        try inspect { try $0.execute("SELECT count(*) FROM \(table)").single(table).int64(0) }
    }
}

extension Date {
    /// A fixed, readable instant: `t(90)` is 90 s after 2026-01-01T00:00:00Z.
    static func t(_ seconds: Double) -> Date { Date(timeIntervalSince1970: 1_767_225_600 + seconds) }
}

extension ScanUpdate {
    /// A Harbor-shaped update (webhook unless said otherwise).
    static func make(
        source: String = "harbor-prod", upstreamId: String = "scan-1", imageId: String = "library/nginx@sha256:0a1b",
        status: ScanStatus = .running, created: Date? = nil, updated: Date? = nil, via: ScanVia = .webhook,
        productId: String? = nil, critical: Int = 0, raw: String = #"{"type":"SCANNING_COMPLETED"}"#
    ) -> ScanUpdate {
        ScanUpdate(
            source: source, provider: .harbor, upstreamId: upstreamId,
            subject: ScanSubject(imageId: imageId, productId: productId, repository: "library/nginx", digest: "sha256:0a1b", tag: "1.27"),
            scanType: "vulnerability", status: status, upstreamStatus: status == .completed ? "Success" : "Running",
            upstreamCreatedAt: created, upstreamUpdatedAt: updated, completedAt: status.isTerminal ? updated : nil,
            findings: status == .completed ? Findings(critical: critical, high: 3, medium: 7) : nil,
            score: status == .completed ? 7.25 : nil, via: via, raw: Array(raw.utf8)
        )
    }
}
