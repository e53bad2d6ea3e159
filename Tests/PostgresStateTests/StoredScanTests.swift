import Foundation
import Postgres
import ScanCore
import Testing

@testable import PostgresState

/// The `document` column rebuilds a scan exactly: written by hand, read by `Codable`, through a real database.
@Suite struct StoredScanTests {
    @Test func aScanWithEveryFieldSet_ComesBackFromTheDatabaseEqual() async throws {
        let database = try await TestDatabase.make()
        defer { database.close() }
        var scan = Scan(
            source: "harbor-prod", provider: .harbor, upstreamId: "scan-\"quoted\"-ü",
            subject: ScanSubject(imageId: "library/nginx@sha256:0a1b", productId: "prod ✓", repository: "library/nginx",
                                 digest: "sha256:0a1b", tag: "1.27\n", projectId: "7", imageSizeBytes: 3_221_225_472),
            scanType: "vulnerability", status: .completed, upstreamStatus: "Success",
            createdAt: Date(timeIntervalSinceReferenceDate: 818_000_000.123_456_789), updatedAt: .t(61.000_001),
            upstreamUpdatedAt: .t(60.5), completedAt: .t(61.25),
            findings: Findings(critical: 1, high: 3, medium: 7, low: 11, negligible: 2, unknown: 5),
            score: 7.25e-3, checks: [ScanCheck(name: "secrets", score: 0.1, reason: "a \\ backslash", url: "https://x.test/c?a=1&b=2"), ScanCheck(name: "sbom")],
            via: .poll, revision: 42, raw: Array(#"{"type":"SCANNING_COMPLETED"}"#.utf8))
        scan.isCreatedAtUpstream = true
        var sparse = Scan(
            source: "binarly", provider: .binarly, upstreamId: "b-1", subject: ScanSubject(imageId: "fw.bin"),
            status: .running, createdAt: .t(0), updatedAt: .t(0), via: .webhook)
        sparse.isCreatedAtUpstream = false

        for original in [scan, sparse] {
            let read = try database.inspect { connection in
                try connection.execute("SELECT $1::bytea, $2::bytea", [PostgresValue(bytes: StoredScan.document(original)), PostgresValue(bytes: original.raw)])
                    .rows.map { try StoredScan.decode($0) }
            }
            #expect(read == [original])
            #expect(read.first?.isCreatedAtUpstream == original.isCreatedAtUpstream)
            #expect(read.first?.createdAt.timeIntervalSinceReferenceDate.bitPattern == original.createdAt.timeIntervalSinceReferenceDate.bitPattern)
        }
    }
}
