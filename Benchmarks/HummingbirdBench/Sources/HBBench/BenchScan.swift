import Foundation

/// The scan document both servers return from `GET /v1/scans/{id}`: the shape of ScanRelay's summary view, with
/// the same field names and values, encoded by JSONEncoder as a Hummingbird service would.
struct BenchScan: Codable, Sendable {
    struct Subject: Codable, Sendable {
        var imageId: String
        var productId: String
    }

    struct Findings: Codable, Sendable {
        var critical, high, medium, low, negligible, unknown, total: Int
    }

    var id: String
    var source: String
    var provider: String
    var upstreamId: String
    var subject: Subject
    var status: String
    var upstreamStatus: String
    var createdAt: String
    var updatedAt: String
    var upstreamUpdatedAt: String
    var completedAt: String?
    var findings: Findings
    var score: Double?
    var checks: [String]
    var via: String
    var revision: Int

    /// The `index`th seeded scan; compare.sh's seeding of ScanRelay posts the same values.
    static func seeded(_ index: Int, source: String) -> BenchScan {
        let upstreamId = "bench-\(index)"
        return BenchScan(
            id: "\(source):\(upstreamId)", source: source, provider: "binarly", upstreamId: upstreamId,
            subject: Subject(imageId: "image-\(index)", productId: "product-\(index % 100)"),
            status: "completed", upstreamStatus: "done",
            createdAt: "2026-01-20T10:00:00Z", updatedAt: "2026-01-20T10:42:20Z",
            upstreamUpdatedAt: "2026-01-20T10:42:17Z", completedAt: "2026-01-20T10:42:17Z",
            findings: Findings(critical: 0, high: 1, medium: 2, low: 0, negligible: 0, unknown: 0, total: 3),
            score: nil, checks: [], via: "webhook", revision: 1)
    }
}

/// A ScanRelay-provider webhook body: `{type, data: Scan}`.
struct BenchEvent: Codable, Sendable {
    var type: String
    var data: BenchScan
}
