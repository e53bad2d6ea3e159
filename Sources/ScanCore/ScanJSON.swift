/// The wire form of scans, written with ``JSONWriter`` in a fixed key order. It agrees with `Scan`'s `Codable`
/// form (tests hold both to that) and adds `raw` for ``View/full``.
public enum ScanJSON {
    public enum View: Sendable {
        /// Every field but `raw`.
        case summary
        /// Also `raw`, the upstream document (`?view=full`).
        case full
    }

    /// One scan as a JSON object.
    public static func encode(_ scan: Scan, view: View = .summary) -> [UInt8] {
        var writer = JSONWriter(capacity: 640 + (view == .full ? scan.raw.count : 0))
        write(scan, view: view, into: &writer)
        return writer.bytes
    }

    /// `{"scans": [...], "nextPageToken": ...}`; the key is left out on the last page (`nextPageToken` nil).
    public static func encodeList(
        _ scans: [Scan], nextPageToken: String? = nil, view: View = .summary, index: ImageIndex? = nil
    ) -> [UInt8] {
        var writer = JSONWriter(capacity: 64 + scans.count * 640)
        writer.appendRaw("{\"scans\":[")
        for (index, scan) in scans.enumerated() {
            if index > 0 { writer.appendRaw(",") }
            write(scan, view: view, into: &writer)
        }
        writer.appendRaw("]")
        if let index {
            writer.appendRaw(",\"index\":{\"imageId\":")
            writer.appendString(index.imageId)
            writer.appendRaw(",\"children\":[")
            for (position, child) in index.children.enumerated() {
                if position > 0 { writer.appendRaw(",") }
                writer.appendString(child)
            }
            writer.appendRaw("]}")
        }
        if let nextPageToken {
            writer.appendRaw(",\"nextPageToken\":")
            writer.appendString(nextPageToken)
        }
        writer.appendRaw("}")
        return writer.bytes
    }

    /// The `data:` of an SSE scan event: `{"type": ..., "scan": Scan}` (without `raw`).
    public static func encodeEvent(type: String, scan: Scan) -> [UInt8] {
        var writer = JSONWriter(capacity: 700)
        writer.appendRaw("{\"type\":")
        writer.appendString(type)
        writer.appendRaw(",\"scan\":")
        write(scan, view: .summary, into: &writer)
        writer.appendRaw("}")
        return writer.bytes
    }

    public static func write(_ scan: Scan, view: View, into writer: inout JSONWriter) {
        writer.appendRaw("{\"id\":")
        writer.appendString(scan.id)
        writer.appendRaw(",\"source\":")
        writer.appendString(scan.source)
        writer.appendRaw(",\"provider\":")
        writer.appendString(scan.provider.rawValue)
        writer.appendRaw(",\"upstreamId\":")
        writer.appendString(scan.upstreamId)
        writer.appendRaw(",\"subject\":")
        write(scan.subject, into: &writer)
        if let scanType = scan.scanType {
            writer.appendRaw(",\"scanType\":")
            writer.appendString(scanType)
        }
        writer.appendRaw(",\"status\":")
        writer.appendString(scan.status.rawValue)
        writer.appendRaw(",\"upstreamStatus\":")
        writer.appendString(scan.upstreamStatus)
        writer.appendRaw(",\"createdAt\":")
        writer.appendQuotedDate(scan.createdAt)
        writer.appendRaw(",\"updatedAt\":")
        writer.appendQuotedDate(scan.updatedAt)
        writer.appendRaw(",\"upstreamUpdatedAt\":")
        writer.appendQuotedDate(scan.upstreamUpdatedAt)
        writer.appendRaw(",\"completedAt\":")
        writer.appendQuotedDate(scan.completedAt)
        writer.appendRaw(",\"findings\":")
        if let findings = scan.findings { write(findings, into: &writer) } else { writer.appendNull() }
        writer.appendRaw(",\"score\":")
        writer.appendDouble(scan.score)
        writer.appendRaw(",\"checks\":[")
        for (index, check) in scan.checks.enumerated() {
            if index > 0 { writer.appendRaw(",") }
            write(check, into: &writer)
        }
        writer.appendRaw("],\"via\":")
        writer.appendString(scan.via.rawValue)
        writer.appendRaw(",\"revision\":")
        writer.appendInt(scan.revision)
        if view == .full {
            writer.appendRaw(",\"raw\":")
            if scan.raw.isEmpty { writer.appendNull() } else { writer.appendRaw(scan.raw) }
        }
        writer.appendRaw("}")
    }

    private static func write(_ subject: ScanSubject, into writer: inout JSONWriter) {
        writer.appendRaw("{\"imageId\":")
        writer.appendString(subject.imageId)
        if let productId = subject.productId {
            writer.appendRaw(",\"productId\":")
            writer.appendString(productId)
        }
        if let repository = subject.repository {
            writer.appendRaw(",\"repository\":")
            writer.appendString(repository)
        }
        if let digest = subject.digest {
            writer.appendRaw(",\"digest\":")
            writer.appendString(digest)
        }
        if let tag = subject.tag {
            writer.appendRaw(",\"tag\":")
            writer.appendString(tag)
        }
        if let projectId = subject.projectId {
            writer.appendRaw(",\"projectId\":")
            writer.appendString(projectId)
        }
        if let imageSizeBytes = subject.imageSizeBytes {
            writer.appendRaw(",\"imageSizeBytes\":")
            writer.appendInt(imageSizeBytes)
        }
        writer.appendRaw("}")
    }

    private static func write(_ findings: Findings, into writer: inout JSONWriter) {
        writer.appendRaw("{\"critical\":")
        writer.appendInt(findings.critical)
        writer.appendRaw(",\"high\":")
        writer.appendInt(findings.high)
        writer.appendRaw(",\"medium\":")
        writer.appendInt(findings.medium)
        writer.appendRaw(",\"low\":")
        writer.appendInt(findings.low)
        writer.appendRaw(",\"negligible\":")
        writer.appendInt(findings.negligible)
        writer.appendRaw(",\"unknown\":")
        writer.appendInt(findings.unknown)
        writer.appendRaw(",\"total\":")
        writer.appendInt(findings.total)
        writer.appendRaw("}")
    }

    private static func write(_ check: ScanCheck, into writer: inout JSONWriter) {
        writer.appendRaw("{\"name\":")
        writer.appendString(check.name)
        writer.appendRaw(",\"score\":")
        writer.appendDouble(check.score)
        writer.appendRaw(",\"reason\":")
        writer.appendString(check.reason)
        writer.appendRaw(",\"url\":")
        writer.appendString(check.url)
        writer.appendRaw("}")
    }
}
