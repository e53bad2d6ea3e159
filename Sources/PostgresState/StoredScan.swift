import Foundation
import Postgres
import ScanCore

/// A scan as the `scans` table holds it: the columns lists filter and sort on, and the document that rebuilds the
/// scan exactly — `Scan`'s JSON form (which stops at whole seconds and leaves out `raw` and the merge rule's
/// creation-time flag) with those kept beside it. `raw` has its own column, read only when asked for.
enum StoredScan {
    private struct Document: Decodable {
        var scan: Scan
        /// `createdAt`, `updatedAt`, `upstreamUpdatedAt`, `completedAt` as seconds since the reference date: JSON
        /// numbers carry a `Double` exactly.
        var times: [Double?]
        var createdAtIsUpstream: Bool
    }

    /// The columns `SELECT`ed wherever a scan is read, in ``decode(_:from:)``'s order.
    static let columns = "document, raw"
    static let columnsWithoutRaw = "document, ''::bytea"

    /// The document of `scan`, written by hand (``ScanJSON``'s writer, the API's own form of a scan) rather than by
    /// `JSONEncoder`: every write of a scan encodes one, and the Codable path was 7 % of a replica's CPU under ingest.
    /// ``decode(_:from:)`` reads it with the same `Codable` rules as before, so documents already stored read alike.
    static func document(_ scan: Scan) -> [UInt8] {
        var writer = JSONWriter(capacity: 640 + scan.checks.count * 96)
        writer.appendRaw("{\"scan\":")
        ScanJSON.write(scan, view: .summary, into: &writer)
        writer.appendRaw(",\"times\":[")
        for (index, time) in [scan.createdAt, scan.updatedAt, scan.upstreamUpdatedAt, scan.completedAt].enumerated() {
            if index > 0 { writer.appendRaw(",") }
            writer.appendDouble(time?.timeIntervalSinceReferenceDate)
        }
        writer.appendRaw("],\"createdAtIsUpstream\":")
        writer.appendBool(scan.isCreatedAtUpstream)
        writer.appendRaw("}")
        return writer.bytes
    }

    /// The scan in columns `first` (document) and `first + 1` (raw) of `row`.
    static func decode(_ row: PostgresRow, from first: Int = 0) throws -> Scan {
        let document = try JSONDecoder().decode(Document.self, from: Data(try row.bytes(first)))
        var scan = document.scan
        let times = document.times.map { $0.map(Date.init(timeIntervalSinceReferenceDate:)) }
        guard times.count == 4, let createdAt = times[0], let updatedAt = times[1] else {
            throw PostgresError(.unexpectedResult, message: "a stored scan's times are incomplete")
        }
        scan.createdAt = createdAt
        scan.updatedAt = updatedAt
        scan.upstreamUpdatedAt = times[2]
        scan.completedAt = times[3]
        scan.isCreatedAtUpstream = document.createdAtIsUpstream
        scan.raw = try row.bytes(first + 1)
        return scan
    }

    /// The scans in `rows` from column `first` on, by id; rows whose scan columns are NULL (no such scan yet) are
    /// skipped.
    static func byId(in rows: PostgresRows, from first: Int) throws -> [String: Scan] {
        var scans: [String: Scan] = [:]
        for row in rows.rows where !row.isNull(first) {
            let scan = try decode(row, from: first)
            scans[scan.id] = scan
        }
        return scans
    }

    /// The scans a write changes, locked `FOR UPDATE` by id in the order given (callers sort the ids, so two writers
    /// cannot deadlock): a `FROM` item yielding them as `scan` with ``columns``, and its parameter.
    ///
    /// The shape is chosen for PostgreSQL's plan cache. A pooled session prepares each statement once; PostgreSQL then
    /// plans it afresh on every call until a generic plan costs no more than the custom ones, and keeps that generic
    /// plan, made from the statistics of that moment, for the rest of the session. One id (a poll's result, nearly
    /// every webhook) is an equality on the primary key: an index scan in every plan, so the generic plan wins at
    /// once. Several ids are one primary-key probe each through a locking subquery, which cannot be flattened into
    /// a join: `id = ANY($n)` planned while `scans` was empty was a sequential scan, kept as the table grew.
    struct Lock {
        let parameter: PostgresValue
        private let ids: Int
        private let position: Int

        init(ids: [String], parameter position: Int) {
            self.ids = ids.count
            self.position = position
            parameter = ids.count == 1 ? PostgresValue(ids[0]) : PostgresValue(textArray: ids)
        }

        /// The `FROM` item; `condition` (SQL) must hold as well for anything to be read and locked.
        func fromItem(onlyIf condition: String = "true") -> String {
            let scan = "SELECT \(StoredScan.columns) FROM scans WHERE"
            if ids == 1 { return "(\(scan) id = $\(position) AND \(condition) FOR UPDATE) AS scan" }
            return """
                unnest($\(position)::text[]) WITH ORDINALITY AS wanted(id, position)
                    CROSS JOIN LATERAL (\(scan) scans.id = wanted.id AND \(condition) FOR UPDATE) AS scan
                """
        }
    }

    /// `INSERT` of a new scan; `ON CONFLICT DO NOTHING` so a scan created meanwhile by another transaction is
    /// noticed (no row back) and merged into instead.
    static let insert = """
        INSERT INTO scans (id, source, provider, status, image_id, product_id, created_at, created_key, updated_at,
                           updated_key, revision, document, raw)
        VALUES ($1, $2, $3, $4, $5, $6, to_timestamp($7::float8), $8::float8, to_timestamp($9::float8), $10::float8,
                $11::bigint, $12::bytea, $13::bytea)
        ON CONFLICT (id) DO NOTHING
        RETURNING 1
        """

    static let update = """
        UPDATE scans SET source = $2, provider = $3, status = $4, image_id = $5, product_id = $6,
                         created_at = to_timestamp($7::float8), created_key = $8::float8,
                         updated_at = to_timestamp($9::float8), updated_key = $10::float8, revision = $11::bigint,
                         document = $12::bytea, raw = $13::bytea
        WHERE id = $1
        """

    /// The parameters of ``insert`` and ``update``.
    static func parameters(_ scan: Scan) -> [PostgresValue?] {
        [
            PostgresValue(scan.id), PostgresValue(scan.source), PostgresValue(scan.provider.rawValue),
            PostgresValue(scan.status.rawValue), PostgresValue(scan.subject.imageId), scan.subject.productId.map { PostgresValue($0) },
            PostgresValue(scan.createdAt.timeIntervalSince1970), PostgresValue(scan.createdAt.timeIntervalSinceReferenceDate),
            PostgresValue(scan.updatedAt.timeIntervalSince1970), PostgresValue(scan.updatedAt.timeIntervalSinceReferenceDate),
            PostgresValue(scan.revision), PostgresValue(bytes: document(scan)), PostgresValue(bytes: scan.raw),
        ]
    }
}
