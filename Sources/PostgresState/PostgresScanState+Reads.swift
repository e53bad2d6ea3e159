import Foundation
import Postgres
import ScanCore

extension PostgresScanState {
    /// The scan with `id`, with its `raw`; nil when there is none.
    public func scan(id: String) async throws -> Scan? {
        try await read { connection in
            try connection.execute("SELECT \(StoredScan.columns) FROM scans WHERE id = $1", [PostgresValue(id)])
                .rows.first.map { try StoredScan.decode($0) }
        }
    }

    /// The scans of one image, newest `createdAt` first (at most `limit`), without `raw`.
    public func scans(imageId: String, limit: Int = 1000) async throws -> [Scan] {
        try await read { connection in
            try connection.execute(
                """
                SELECT \(StoredScan.columnsWithoutRaw) FROM scans WHERE image_id = $1
                ORDER BY created_key DESC, id DESC LIMIT $2::bigint
                """,
                [PostgresValue(imageId), PostgresValue(max(1, limit))]
            ).rows.map { try StoredScan.decode($0) }
        }
    }

    /// One page of the scans matching `query`, in the order of ``ScanStore/list(_:)`` — newest `createdAt` first,
    /// ties by id bytes descending — and with the same page tokens, so the database and a replica's memory answer
    /// a token alike. The page is always full when more scans match (no walk budget here: the indexes bound it).
    ///
    /// `known(id, revision)` may give the scan at that revision from elsewhere (a replica's cache) so that its stored
    /// document is not decoded: decoding was most of a page's time (2.5 ms for 100 scans). Not asked for a page
    /// with `raw`, which caches do not hold.
    public func list(_ query: ScanQuery, known: @escaping @Sendable (String, UInt64) -> Scan? = { _, _ in nil }) async throws -> ScanPage {
        var conditions: [String] = []
        var parameters: [PostgresValue?] = []
        func condition(_ sql: (String) -> String, _ value: PostgresValue) {
            parameters.append(value)
            conditions.append(sql("$\(parameters.count)"))
        }
        if let source = query.source { condition({ "source = \($0)" }, PostgresValue(source)) }
        if let provider = query.provider { condition({ "provider = \($0)" }, PostgresValue(provider.rawValue)) }
        if let status = query.status { condition({ "status = \($0)" }, PostgresValue(status.rawValue)) }
        if let imageId = query.imageId { condition({ "image_id = \($0)" }, PostgresValue(imageId)) }
        if let productId = query.productId { condition({ "product_id = \($0)" }, PostgresValue(productId)) }
        if let since = query.updatedSince {
            condition({ "updated_key >= \($0)::float8" }, PostgresValue(since.timeIntervalSinceReferenceDate))
        }
        if let token = query.pageToken {
            guard let after = ScanPageToken.decode(token) else { throw ScanQuery.InvalidPageToken.refused }
            parameters.append(PostgresValue(after.createdAt.timeIntervalSinceReferenceDate))
            parameters.append(PostgresValue(after.id))
            conditions.append("(created_key, id) < ($\(parameters.count - 1)::float8, $\(parameters.count))")
        }
        let limit = max(1, query.limit)
        parameters.append(PostgresValue(limit + 1))
        let sql = """
            SELECT id, revision, \(query.includeRaw ? StoredScan.columns : StoredScan.columnsWithoutRaw) FROM scans
            \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
            ORDER BY created_key DESC, id DESC LIMIT $\(parameters.count)::bigint
            """
        let bound = parameters, includeRaw = query.includeRaw
        let scans = try await read { connection in
            try connection.execute(sql, bound).rows.map { row in
                if !includeRaw, let scan = known(try row.string(0), UInt64(try row.int64(1))) { return scan }
                return try StoredScan.decode(row, from: 2)
            }
        }
        guard scans.count > limit else { return ScanPage(servedScans: scans, nextPageToken: nil) }
        let page = Array(scans.prefix(limit))
        return ScanPage(servedScans: page, nextPageToken: page.last.map { ScanPageToken.encode(createdAt: $0.createdAt, id: $0.id) })
    }

    /// Events with ids after `after`, oldest first, at most `limit`; `missedEvents` when retention deleted some of
    /// those (or `after` is beyond the last id). One statement, so one snapshot: the bounds and the rows agree, in
    /// one round trip (a feed reads after every wake-up; a transaction around two reads took four).
    public func events(after: UInt64, limit: Int = 1000) async throws -> StoredEventPage {
        try await read { connection in
            let rows = try connection.execute(
                """
                SELECT bounds.first_id, bounds.last_id, event.id, event.type, event.payload, event.scan_id
                FROM (SELECT (SELECT min(id) FROM events) AS first_id, last_id FROM event_counter) AS bounds
                LEFT JOIN LATERAL (
                    SELECT id, type, payload, scan_id FROM events WHERE id > $1::bigint ORDER BY id LIMIT $2::bigint
                ) AS event ON true
                ORDER BY event.id
                """,
                [PostgresValue(after), PostgresValue(max(1, limit))]
            ).rows
            guard let bounds = rows.first else { throw PostgresError(.unexpectedResult, message: "no event bounds") }
            let lastId = UInt64(try bounds.int64(1))
            let firstId = bounds.isNull(0) ? nil : UInt64(try bounds.int64(0))
            let events = try rows.filter { !$0.isNull(2) }.map { row in
                StoredEvent(
                    id: UInt64(try row.int64(2)), type: try row.string(3), payload: try row.bytes(4),
                    scanId: row.optionalString(5))
            }
            let missed = after > lastId || after + 1 < (firstId ?? lastId + 1)
            return StoredEventPage(events: events, missedEvents: missed, lastId: lastId)
        }
    }

    /// The id of the last committed event (0 before the first).
    public func lastEventId() async throws -> UInt64 {
        try await read { connection in
            UInt64(try connection.execute("SELECT last_id FROM event_counter").single("the event counter").int64(0))
        }
    }
}
