import Foundation

/// A scan as the cache holds it: every variable-length field in one buffer, optional scalars without padding.
///
/// A million cached scans must fit in 1 GiB together with their raw documents. As a plain ``Scan`` a record takes a
/// heap allocation for each string longer than 15 bytes (id, upstream id, image and product ids, digest) and for
/// raw, each with an object header and malloc rounding, plus optionals padded to 16 bytes. Packed, it takes one
/// (measured with 1,000,000 Binarly-like scans: 983 MiB RSS as `Scan`s without any raw document; packed, with the
/// id kept only here, 890 MiB including a 288-byte raw document each). A ``Scan`` is rebuilt on the way out.
struct PackedScan: Sendable {
    /// The variable-length fields, in buffer order.
    private enum Field: Int, CaseIterable {
        /// `<source>:<upstreamId>`: the store's key, compared and hashed in place.
        case id
        case imageId, productId, repository, digest, tag, projectId, upstreamStatus, scanType, raw
    }

    /// Bits of `flags`: which optional values are present (an empty string is not an absent one).
    private struct Flags: OptionSet {
        let rawValue: UInt32
        static func field(_ field: Field) -> Flags { Flags(rawValue: 1 << field.rawValue) }
        static let upstreamUpdatedAt = Flags(rawValue: 1 << 16)
        static let completedAt = Flags(rawValue: 1 << 17)
        static let score = Flags(rawValue: 1 << 18)
        static let imageSizeBytes = Flags(rawValue: 1 << 19)
        static let findings = Flags(rawValue: 1 << 20)
        static let createdAtIsUpstream = Flags(rawValue: 1 << 21)
    }

    private static let tableSize = Field.allCases.count * MemoryLayout<UInt32>.size
    private static let findingsSize = 7 * MemoryLayout<Int64>.size

    /// A table of field end offsets (`UInt32` each), the bytes of the fields back to back, then the seven
    /// findings counts (`Int64`) when present.
    private let buffer: [UInt8]
    private let flags: Flags
    /// Where the source ends in the id.
    private let sourceLength: UInt32
    let provider: Provider
    let status: ScanStatus
    let via: ScanVia
    let revision: UInt64
    let createdAt: Date
    let updatedAt: Date
    private let upstreamUpdatedAt: Date
    private let completedAt: Date
    private let score: Double
    private let imageSizeBytes: Int64
    private let checks: [ScanCheck]

    init(_ scan: Scan) {
        let subject = scan.subject
        // Optional text fields in buffer order, after the id and imageId.
        let optionals = [
            subject.productId, subject.repository, subject.digest, subject.tag, subject.projectId, scan.upstreamStatus,
            scan.scanType,
        ]
        var flags: Flags = [.field(.id), .field(.imageId), .field(.raw)]
        var buffer = [UInt8]()
        buffer.reserveCapacity(
            Self.tableSize + scan.source.utf8.count + 1 + scan.upstreamId.utf8.count + subject.imageId.utf8.count
                + optionals.reduce(0) { $0 + ($1?.utf8.count ?? 0) } + scan.raw.count
                + (scan.findings == nil ? 0 : Self.findingsSize)
        )
        buffer.append(contentsOf: repeatElement(0, count: Self.tableSize))
        func endField(_ field: Field) {
            let end = UInt32(buffer.count - Self.tableSize).littleEndian
            // Stored in place: `replaceSubrange` with a buffer was a tenth of a webhook's merge, ten times per scan.
            buffer.withUnsafeMutableBytes { $0.storeBytes(of: end, toByteOffset: field.rawValue * 4, as: UInt32.self) }
        }
        buffer.append(contentsOf: scan.source.utf8)
        buffer.append(UInt8(ascii: ":"))
        buffer.append(contentsOf: scan.upstreamId.utf8)
        endField(.id)
        buffer.append(contentsOf: subject.imageId.utf8)
        endField(.imageId)
        for (offset, value) in optionals.enumerated() {
            let field = Field(rawValue: Field.productId.rawValue + offset)!
            if let value {
                flags.insert(.field(field))
                buffer.append(contentsOf: value.utf8)
            }
            endField(field)
        }
        buffer.append(contentsOf: scan.raw)
        endField(.raw)
        if let findings = scan.findings {
            flags.insert(.findings)
            for count in findings.counts { withUnsafeBytes(of: Int64(count).littleEndian) { buffer.append(contentsOf: $0) } }
        }
        func note<T>(_ value: T?, _ flag: Flags, absent: T) -> T {
            if value != nil { flags.insert(flag) }
            return value ?? absent
        }
        upstreamUpdatedAt = note(scan.upstreamUpdatedAt, .upstreamUpdatedAt, absent: .distantPast)
        completedAt = note(scan.completedAt, .completedAt, absent: .distantPast)
        score = note(scan.score, .score, absent: 0)
        imageSizeBytes = note(subject.imageSizeBytes, .imageSizeBytes, absent: 0)
        if scan.createdAtIsUpstream { flags.insert(.createdAtIsUpstream) }
        self.buffer = buffer
        self.flags = flags
        sourceLength = UInt32(scan.source.utf8.count)
        provider = scan.provider
        status = scan.status
        via = scan.via
        revision = scan.revision
        createdAt = scan.createdAt
        updatedAt = scan.updatedAt
        checks = scan.checks
    }

    /// The scan, rebuilt; `raw` left empty unless asked for, since only `?view=full` shows it.
    func scan(includingRaw: Bool = true) -> Scan {
        let id = buffer[range(of: .id)]
        let sourceEnd = id.startIndex + Int(sourceLength)
        var scan = Scan(
            source: String(decoding: id[..<sourceEnd], as: UTF8.self), provider: provider,
            upstreamId: String(decoding: id[(sourceEnd + 1)...], as: UTF8.self),
            subject: ScanSubject(
                imageId: string(.imageId), productId: optional(.productId), repository: optional(.repository),
                digest: optional(.digest), tag: optional(.tag), projectId: optional(.projectId),
                imageSizeBytes: flags.contains(.imageSizeBytes) ? imageSizeBytes : nil
            ),
            scanType: optional(.scanType), status: status, upstreamStatus: optional(.upstreamStatus), createdAt: createdAt, updatedAt: updatedAt,
            upstreamUpdatedAt: flags.contains(.upstreamUpdatedAt) ? upstreamUpdatedAt : nil,
            completedAt: flags.contains(.completedAt) ? completedAt : nil, findings: findings,
            score: flags.contains(.score) ? score : nil, checks: checks, via: via, revision: revision,
            raw: includingRaw ? Array(buffer[range(of: .raw)]) : []
        )
        scan.createdAtIsUpstream = flags.contains(.createdAtIsUpstream)
        return scan
    }

    var imageId: String { string(.imageId) }

    var id: String { string(.id) }

    func withIdBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        let range = range(of: .id)
        return buffer.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[range])) }
    }

    /// What remains of an evicted scan: its id, for the stale list entries that still sort by it; the rest freed.
    func tombstone() -> PackedScan {
        let scan = scan(includingRaw: false)
        return PackedScan(Scan(
            source: scan.source, provider: provider, upstreamId: scan.upstreamId, subject: ScanSubject(imageId: ""),
            status: status, createdAt: createdAt, updatedAt: updatedAt, via: via, revision: revision
        ))
    }

    /// Filters compare bytes in place, so walking a large cache allocates nothing.
    func matches(_ query: ScanQuery) -> Bool {
        if let provider = query.provider, self.provider != provider { return false }
        if let status = query.status, self.status != status { return false }
        if let updatedSince = query.updatedSince, updatedAt < updatedSince { return false }
        if let source = query.source, !hasSource(source) { return false }
        if let imageId = query.imageId, !has(.imageId, equalTo: imageId) { return false }
        if let productId = query.productId, !has(.productId, equalTo: productId) { return false }
        return true
    }

    private var findings: Findings? {
        guard flags.contains(.findings) else { return nil }
        let start = range(of: .raw).upperBound
        let counts = buffer.withUnsafeBytes { bytes in
            (0..<7).map { Int(Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: start + $0 * 8, as: Int64.self))) }
        }
        return Findings(
            critical: counts[0], high: counts[1], medium: counts[2], low: counts[3], negligible: counts[4],
            unknown: counts[5], total: counts[6]
        )
    }

    private func hasSource(_ source: String) -> Bool {
        let id = range(of: .id)
        return source.utf8.count == sourceLength && buffer[id.prefix(Int(sourceLength))].elementsEqual(source.utf8)
    }

    private func has(_ field: Field, equalTo value: String) -> Bool {
        flags.contains(.field(field)) && buffer[range(of: field)].elementsEqual(value.utf8)
    }

    private func string(_ field: Field) -> String {
        String(decoding: buffer[range(of: field)], as: UTF8.self)
    }

    private func optional(_ field: Field) -> String? {
        flags.contains(.field(field)) ? string(field) : nil
    }

    private func range(of field: Field) -> Range<Int> {
        buffer.withUnsafeBytes { table in
            func end(_ index: Int) -> Int {
                Int(UInt32(littleEndian: table.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)))
            }
            let start = field.rawValue == 0 ? 0 : end(field.rawValue - 1)
            return Self.tableSize + start..<Self.tableSize + end(field.rawValue)
        }
    }
}
