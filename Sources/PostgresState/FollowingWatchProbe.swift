import Polling
import Postgres
import ScanCore

/// "Does any active watch follow one of these updates?" as one SQL expression, to ride in a statement sent anyway:
/// nearly every webhook is followed by no watch, and asking apart cost a round trip (and a pool hand-off) per delivery.
///
/// Candidates are found by ``WatchFollowing/keys(of:)`` on the `watches_following` index; a true answer means "maybe"
/// (``WatchFollowing/follows(_:_:since:)`` decides, in the locking transaction that ends the watches), a false one is
/// final for the snapshot of the statement that carries it.
///
/// Shaped for the plan cache like ``StoredScan/Lock``: one update (nearly every delivery) is scalar parameters, an
/// index scan in every plan; several are unnested arrays, one `LIMIT 1` probe per key.
struct FollowingWatchProbe {
    private let parameters: [PostgresValue?]
    private let single: Bool

    init(_ updates: [ScanUpdate]) {
        if updates.count == 1, let update = updates.first {
            // An update has two keys, three when it names a repository: the third parameter is NULL otherwise, which
            // `IN` never matches.
            let keys = WatchFollowing.keys(of: update)
            single = true
            parameters = [PostgresValue(update.source)] + (0..<3).map { $0 < keys.count ? PostgresValue(keys[$0]) : nil }
        } else {
            let pairs = updates.flatMap { update in WatchFollowing.keys(of: update).map { (update.source, $0) } }
            single = false
            parameters = [PostgresValue(textArray: pairs.map(\.0)), PostgresValue(textArray: pairs.map(\.1))]
        }
    }

    /// The expression (a boolean) with its parameters numbered from `first`, and those parameters.
    func expression(parametersFrom first: Int) -> (sql: String, parameters: [PostgresValue?]) {
        let active = "following.\(PostgresWatchStore.active)"
        if single {
            return (
                """
                EXISTS (SELECT 1 FROM watches AS following
                        WHERE following.source = $\(first) AND following.follow_key IN ($\(first + 1), $\(first + 2), $\(first + 3))
                          AND \(active))
                """, parameters)
        }
        return (
            """
            EXISTS (SELECT 1 FROM unnest($\(first)::text[], $\(first + 1)::text[]) AS follow(source, key)
                    CROSS JOIN LATERAL (SELECT 1 FROM watches AS following
                                        WHERE following.source = follow.source AND following.follow_key = follow.key
                                          AND \(active) LIMIT 1) AS watch)
            """, parameters)
    }
}
