import Foundation

/// A scan as the cache holds it: the text fields in one buffer instead of a heap string each.
///
/// A million cached scans must fit in 1 GiB with room for their raw documents. As separate `String`s the ids,
/// digest and statuses of one scan take seven allocations, each with its object header and malloc rounding —
/// more than the text itself. Packed, they take one. A ``Scan`` is rebuilt on the way out.
struct PackedScan: Sendable {
    private enum Field: Int, CaseIterable {
        case source, upstreamId, imageId, productId, repository, digest, tag, projectId, upstreamStatus
    }

    /// A table of field end offsets (`UInt32`, one per ``Field``), then the UTF-8 of each field back to back.
    private let text: [UInt8]
    /// Bit `field.rawValue` set: the optional field is present (an empty string is not absent).
    private let present: UInt16
    let provider: Provider
    let status: ScanStatus
    let via: ScanVia
    let createdAtIsUpstream: Bool
    let revision: UInt64
    let createdAt: Date
    let updatedAt: Date
    let upstreamUpdatedAt: Date?
    let completedAt: Date?
    let score: Double?
    let imageSizeBytes: Int64?
    let findings: Findings?
    let checks: [ScanCheck]
    let raw: [UInt8]

    private static let tableSize = Field.allCases.count * MemoryLayout<UInt32>.size

    init(_ scan: Scan) {
        let subject = scan.subject
        let values: [String?] = [
            scan.source, scan.upstreamId, subject.imageId, subject.productId, subject.repository, subject.digest,
            subject.tag, subject.projectId, scan.upstreamStatus,
        ]
        var text = [UInt8](repeating: 0, count: Self.tableSize)
        text.reserveCapacity(Self.tableSize + values.reduce(0) { $0 + ($1?.utf8.count ?? 0) })
        var present: UInt16 = 0
        for (index, value) in values.enumerated() {
            if let value {
                present |= 1 << index
                text.append(contentsOf: value.utf8)
            }
            let end = UInt32(text.count - Self.tableSize)
            withUnsafeBytes(of: end) { text.replaceSubrange(index * 4..<index * 4 + 4, with: $0) }
        }
        self.text = text
        self.present = present
        provider = scan.provider
        status = scan.status
        via = scan.via
        createdAtIsUpstream = scan.createdAtIsUpstream
        revision = scan.revision
        createdAt = scan.createdAt
        updatedAt = scan.updatedAt
        upstreamUpdatedAt = scan.upstreamUpdatedAt
        completedAt = scan.completedAt
        score = scan.score
        imageSizeBytes = subject.imageSizeBytes
        findings = scan.findings
        checks = scan.checks
        raw = scan.raw
    }

    /// The scan, rebuilt.
    var scan: Scan {
        var scan = Scan(
            source: string(.source), provider: provider, upstreamId: string(.upstreamId),
            subject: ScanSubject(
                imageId: string(.imageId), productId: optional(.productId), repository: optional(.repository),
                digest: optional(.digest), tag: optional(.tag), projectId: optional(.projectId),
                imageSizeBytes: imageSizeBytes
            ),
            status: status, upstreamStatus: optional(.upstreamStatus), createdAt: createdAt, updatedAt: updatedAt,
            upstreamUpdatedAt: upstreamUpdatedAt, completedAt: completedAt, findings: findings, score: score,
            checks: checks, via: via, revision: revision, raw: raw
        )
        scan.createdAtIsUpstream = createdAtIsUpstream
        return scan
    }

    var imageId: String { string(.imageId) }

    /// Filters compare bytes in place, so walking a large cache allocates nothing.
    func matches(_ query: ScanQuery) -> Bool {
        if let provider = query.provider, self.provider != provider { return false }
        if let status = query.status, self.status != status { return false }
        if let updatedSince = query.updatedSince, updatedAt < updatedSince { return false }
        if let source = query.source, !has(.source, equalTo: source) { return false }
        if let imageId = query.imageId, !has(.imageId, equalTo: imageId) { return false }
        if let productId = query.productId, !has(.productId, equalTo: productId) { return false }
        return true
    }

    private func has(_ field: Field, equalTo value: String) -> Bool {
        guard isPresent(field) else { return false }
        return text[range(of: field)].elementsEqual(value.utf8)
    }

    private func isPresent(_ field: Field) -> Bool {
        present & (1 << field.rawValue) != 0
    }

    private func string(_ field: Field) -> String {
        String(decoding: text[range(of: field)], as: UTF8.self)
    }

    private func optional(_ field: Field) -> String? {
        isPresent(field) ? string(field) : nil
    }

    private func range(of field: Field) -> Range<Int> {
        text.withUnsafeBytes { table in
            func end(_ index: Int) -> Int { Int(table.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)) }
            let start = field.rawValue == 0 ? 0 : end(field.rawValue - 1)
            return Self.tableSize + start..<Self.tableSize + end(field.rawValue)
        }
    }
}
