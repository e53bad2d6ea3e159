import Foundation
@testable import ScanCore

extension Date {
    /// A fixed, readable instant: `t(90)` is 90 s after 2026-01-01T00:00:00Z.
    static func t(_ seconds: Double) -> Date { Date(timeIntervalSince1970: 1_767_225_600 + seconds) }
}

extension ScanUpdate {
    static func make(
        source: String = "binarly", upstreamId: String = "01SCAN", imageId: String = "img-1",
        status: ScanStatus = .running, upstreamStatus: String? = nil, created: Date? = nil, updated: Date? = nil,
        findings: Findings? = nil, via: ScanVia = .poll, digest: String? = nil, productId: String? = nil,
        raw: String = ""
    ) -> ScanUpdate {
        ScanUpdate(
            source: source, provider: .binarly, upstreamId: upstreamId,
            subject: ScanSubject(imageId: imageId, productId: productId, digest: digest),
            status: status, upstreamStatus: upstreamStatus ?? status.rawValue, upstreamCreatedAt: created,
            upstreamUpdatedAt: updated, completedAt: status.isTerminal ? updated : nil, findings: findings,
            via: via, raw: Array(raw.utf8)
        )
    }
}

extension Scan {
    static func make(
        source: String = "yandex", upstreamId: String = "chk-1", status: ScanStatus = .completed,
        findings: Findings? = Findings(critical: 1, high: 2, medium: 3), score: Double? = nil,
        checks: [ScanCheck] = [], raw: String = ""
    ) -> Scan {
        Scan(
            source: source, provider: .yandex, upstreamId: upstreamId,
            subject: ScanSubject(
                imageId: "crti2c9b", repository: "crt2504s/ubuntu", digest: "sha256:45f8", tag: "latest",
                imageSizeBytes: 73_400_320
            ),
            status: status, upstreamStatus: "READY", createdAt: .t(0), updatedAt: .t(60.5),
            upstreamUpdatedAt: .t(59.123456), completedAt: .t(59.123456), findings: findings, score: score,
            checks: checks, via: .poll, revision: 3, raw: Array(raw.utf8)
        )
    }
}
