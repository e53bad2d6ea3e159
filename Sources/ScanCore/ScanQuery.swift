import Foundation

/// A `GET /v1/scans` query: filters (all optional, combined with AND), a page size and the token of the previous
/// page.
public struct ScanQuery: Sendable, Hashable {
    public var source: String?
    public var provider: Provider?
    public var status: ScanStatus?
    public var imageId: String?
    public var productId: String?
    /// Inclusive: scans whose `updatedAt` is at or after this time.
    public var updatedSince: Date?
    /// Scans per page, at least 1 (the HTTP layer enforces its own maximum).
    public var limit: Int
    public var pageToken: String?
    /// Whether the scans carry `raw` (a copy each; lists show it only with `?view=full`).
    public var includeRaw: Bool

    public init(
        source: String? = nil, provider: Provider? = nil, status: ScanStatus? = nil, imageId: String? = nil,
        productId: String? = nil, updatedSince: Date? = nil, limit: Int = 100, pageToken: String? = nil,
        includeRaw: Bool = false
    ) {
        self.source = source
        self.provider = provider
        self.status = status
        self.imageId = imageId
        self.productId = productId
        self.updatedSince = updatedSince
        self.limit = limit
        self.pageToken = pageToken
        self.includeRaw = includeRaw
    }

    /// The page token could not be read (HTTP 400).
    public struct InvalidPageToken: Error, Hashable {}
}

/// One page of scans, newest `createdAt` first; `nextPageToken` is nil on the last page.
public struct ScanPage: Sendable, Hashable {
    public var scans: [Scan]
    public var nextPageToken: String?
}

/// Page tokens are the sort key of the last scan served, base64url-encoded: the exact bits of `createdAt` and the
/// id. A key stays meaningful however the store changes, so a token stays valid while scans are added, and scans
/// added after it (newer) are not served twice.
enum PageToken {
    static func encode(_ key: ScanSortKey) -> String {
        var bytes = withUnsafeBytes(of: key.createdAt.timeIntervalSinceReferenceDate.bitPattern.bigEndian, Array.init)
        bytes.append(contentsOf: key.id.utf8)
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ token: String) -> ScanSortKey? {
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), data.count >= 8 else { return nil }
        let bits = data.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let interval = Double(bitPattern: bits)
        guard interval.isFinite, let id = String(validating: data.dropFirst(8), as: UTF8.self) else { return nil }
        return ScanSortKey(createdAt: Date(timeIntervalSinceReferenceDate: interval), id: id)
    }
}
