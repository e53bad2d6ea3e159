/// The database schema, as numbered migrations applied in order. A migration is never edited once released: a change
/// is a new one. The binary refuses a database whose schema is newer than its last migration (an older binary
/// would write rows the newer schema's readers misread).
public enum SchemaMigrations {
    public struct Migration: Sendable {
        public let version: Int
        public let name: String
        /// One or more `;`-separated statements, run in one transaction with the version's row.
        public let sql: String
    }

    public static let all: [Migration] = [
        Migration(version: 1, name: "scans, deliveries, events, watches", sql: version1),
        Migration(version: 2, name: "watches listed, matched to webhooks and expired", sql: version2),
    ]

    public static var latestVersion: Int { all.last?.version ?? 0 }

    /// Times that decide anything (claims, leases, schedules, retention) are `timestamptz` from the database's own
    /// `now()`. A scan's times are its own values (the merge rule's), kept exactly in `*_key` float8 columns as
    /// seconds since 2001-01-01 (Foundation's reference date): the list order and its page tokens compare those bits.
    /// Ids compare as bytes (`COLLATE "C"`), as the in-memory list does.
    static let version1 = """
        CREATE TABLE scans (
            id text COLLATE "C" PRIMARY KEY,
            source text NOT NULL,
            provider text NOT NULL,
            status text NOT NULL,
            image_id text NOT NULL,
            product_id text,
            created_at timestamptz NOT NULL,
            created_key float8 NOT NULL,
            updated_at timestamptz NOT NULL,
            updated_key float8 NOT NULL,
            revision bigint NOT NULL,
            document bytea NOT NULL,
            raw bytea NOT NULL
        );
        CREATE INDEX scans_list ON scans (created_key DESC, id DESC);
        CREATE INDEX scans_by_image ON scans (image_id, created_key DESC, id DESC);
        CREATE INDEX scans_by_source ON scans (source, created_key DESC, id DESC);
        CREATE INDEX scans_by_status ON scans (status, created_key DESC, id DESC);
        CREATE INDEX scans_by_product ON scans (product_id, created_key DESC, id DESC) WHERE product_id IS NOT NULL;

        CREATE TABLE deliveries (
            key text PRIMARY KEY,
            claimed_at timestamptz NOT NULL
        );
        CREATE INDEX deliveries_by_claim ON deliveries (claimed_at);

        CREATE TABLE events (
            id bigint PRIMARY KEY,
            type text NOT NULL,
            payload bytea NOT NULL,
            scan_id text,
            created_at timestamptz NOT NULL DEFAULT now()
        );

        CREATE TABLE event_counter (
            single boolean PRIMARY KEY DEFAULT true CHECK (single),
            last_id bigint NOT NULL
        );
        INSERT INTO event_counter (single, last_id) VALUES (true, 0);

        CREATE TABLE watches (
            id text PRIMARY KEY,
            source text NOT NULL,
            state text NOT NULL,
            next_poll_at timestamptz,
            lease_owner text,
            lease_until timestamptz NOT NULL DEFAULT '-infinity',
            lease_epoch bigint NOT NULL DEFAULT 0,
            last_error text,
            document bytea NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX watches_due ON watches (next_poll_at) WHERE state IN ('waiting', 'polling');
        """

    /// Watches: ids compare as bytes (the in-memory list's order, newest first then id), a key per watch that
    /// narrows the watches a webhook may end to a few index entries (`WatchFollowing.key(of:)`), and the indexes
    /// that expiry and aging out walk.
    static let version2 = """
        ALTER TABLE watches ALTER COLUMN id TYPE text COLLATE "C";
        ALTER TABLE watches ADD COLUMN follow_key text;
        CREATE INDEX watches_newest ON watches (created_at DESC, id DESC);
        CREATE INDEX watches_following ON watches (source, follow_key) WHERE state IN ('waiting', 'polling');
        CREATE INDEX watches_by_age ON watches (created_at) WHERE state IN ('waiting', 'polling');
        CREATE INDEX watches_ended ON watches (updated_at) WHERE state NOT IN ('waiting', 'polling');
        """
}
