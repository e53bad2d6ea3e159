import AppState
import Foundation
import Locking
import Logging
import Polling
import Postgres
import ScanCore

/// The state seam on PostgreSQL (`state.postgres`), shared by every replica.
///
/// The database is the truth; this replica's `cache` is in front of it for reads of one scan and for waking
/// long-polls, and its event ring is the local fan-out for SSE. Both change only by the event feed (every replica's
/// changes, in id order, with the database's ids) and by this replica's own writes after they commit (a scan is
/// installed only when its revision is newer, so the two never step back). Nothing here ever merges into the cache:
/// every merge happens in the database, in the transaction of its write.
///
/// The database may be down at start and may go away later: the store is then unready and each change is refused
/// at once (or, once connected, within the pool's timeouts) with a `503`-shaped ``StateError``, never a hang and
/// never an acknowledgement of something not stored. It keeps trying to connect in `run()`.
public final class PostgresStateStore: StateStore {
    public struct Configuration: Sendable {
        /// `cache.dedupeWindow`: a delivery key claimed this recently makes a duplicate on every replica.
        public var dedupeWindow: Duration
        /// Events kept in the table at least (the longer of this count and `eventMaxAge` wins), so `Last-Event-ID`
        /// resumes on any replica.
        public var eventsKept: Int
        public var eventMaxAge: Duration
        public var pool: PostgresPool.Configuration
        /// How often keys and events past retention are deleted (every replica does it; batches skip each other).
        public var retentionEvery: Duration
        /// How long to wait between attempts to reach the database while it cannot be reached.
        public var reconnectEvery: Duration

        public init(
            dedupeWindow: Duration, eventsKept: Int = 10_000, eventMaxAge: Duration = .seconds(24 * 3600),
            pool: PostgresPool.Configuration = .init(), retentionEvery: Duration = .seconds(60),
            reconnectEvery: Duration = .seconds(1)
        ) {
            self.dedupeWindow = dedupeWindow
            self.eventsKept = max(1, eventsKept)
            self.eventMaxAge = eventMaxAge
            self.pool = pool
            self.retentionEvery = retentionEvery
            self.reconnectEvery = reconnectEvery
        }
    }

    private struct Status {
        var schemaReady = false
        var feed: PostgresEventFeed?
        var closed = false
    }

    public let cache: ScanStore
    public let database: PostgresScanState
    private let settings: ConnectionSettings
    private let configuration: Configuration
    private let logger: Logger
    private let status = Locked(Status())
    /// Events of this replica's own writes, whose scans it installed as they committed.
    let installedEvents = InstalledEvents()

    /// Checks the connection string (a syntax error fails the start) but does not connect: `prepare()` and `run()`
    /// do.
    public init(connectionString: String, cache: ScanStore, configuration: Configuration, logger: Logger) throws(PostgresError) {
        settings = try ConnectionSettings(connectionString)
        database = PostgresScanState(pool: PostgresPool(settings, configuration: configuration.pool))
        self.cache = cache
        self.configuration = configuration
        self.logger = logger
    }

    public var events: EventLog { cache.events }
    public var cachedScanCount: Int { cache.count }

    public var unavailability: String? {
        status.withLock { status in
            if status.closed { return "the state store is closed" }
            guard status.schemaReady, let feed = status.feed else { return "the database cannot be reached yet" }
            // A LISTEN connection being re-established is no reason: changes still arrive by the periodic read.
            return feed.canRead ? nil : "the database cannot be reached"
        }
    }

    // MARK: Start

    /// Brings the schema up to date if the database can be reached now. Throws only for what waiting cannot cure —
    /// a database whose schema is newer than this binary knows — so the start fails with that message; a database
    /// that cannot be reached is tried again by `run()`.
    public func prepare() async throws {
        do {
            try await migrate()
        } catch let error as SchemaMigrator.SchemaTooNew {
            throw error
        } catch {
            logger.warning("state.postgres: the database cannot be reached yet; retrying", metadata: ["reason": "\(error)"])
        }
    }

    private func migrate() async throws {
        guard !status.withLock({ $0.schemaReady }) else { return }
        let report = try await SchemaMigrator.migrate(database.pool)
        if !report.applied.isEmpty {
            logger.info("state.postgres: schema migrated", metadata: ["applied": "\(report.applied)", "version": "\(report.version)"])
        }
        status.withLock { $0.schemaReady = true }
    }

    // MARK: Writes

    public func acceptDelivery(
        key: String, updates: [ScanUpdate], now: Date,
        followUp: @Sendable (AcceptedDelivery) async throws(StateError) -> Void
    ) async throws(StateError) -> AppState.DeliveryOutcome {
        try ensureWritable("the delivery")
        let outcome: DeliveryOutcome
        do {
            outcome = try await database.acceptDelivery(key: key, window: configuration.dedupeWindow, updates: updates)
        } catch {
            throw refusal(error, "the delivery")
        }
        guard case .accepted(let applied, let watchesMayFollow) = outcome else { return .duplicate }
        for update in applied { install(update) }
        do {
            try await followUp(AcceptedDelivery(watchesMayFollow: watchesMayFollow))
        } catch {
            // The claim committed with the scans: take it back, so the sender's retry is processed (merging its
            // scans again changes nothing).
            do {
                try await database.releaseDelivery(key: key)
            } catch let release {
                logger.error("state.postgres: a delivery's claim could not be given back", metadata: ["reason": "\(release)"])
            }
            throw error
        }
        return .accepted(applied.map(\.outcome))
    }

    public func keepPollResult(_ update: ScanUpdate, now: Date) async throws(StateError) -> ApplyOutcome {
        try await keepPollResult(update, fence: nil)
    }

    /// A poll's result, written only while `fence` (the poll's lease on its watch) still holds: a replica that lost
    /// the lease cannot overwrite the one that took the watch over.
    public func keepPollResult(_ update: ScanUpdate, fence: WatchFence?) async throws(StateError) -> ApplyOutcome {
        try ensureWritable("the scan")
        let outcome: KeepOutcome
        do {
            outcome = try await database.keep(update, fence: fence)
        } catch {
            throw refusal(error, "the scan")
        }
        switch outcome {
        case .kept(let applied):
            install(applied)
            return applied.outcome
        case .fenceLost:
            throw .unavailable("the watch's lease was taken over; its new owner polls it", retryAfterSeconds: 1)
        }
    }

    public func ensureWritable(_ what: String) throws(StateError) {
        if let reason = unavailability {
            throw .unavailable("\(what) cannot be stored now: \(reason)", retryAfterSeconds: 5)
        }
    }

    public func watchChanged(_ state: WatchState) {}

    public func waitUntilRecorded(_ what: String) async throws(StateError) {}

    // MARK: Reads

    public func scan(id: String, includingRaw: Bool) async throws(StateError) -> Scan? {
        // The cache is current while the feed follows the table; `raw` is not kept from events, so the full view
        // always reads the database.
        if !includingRaw, unavailability == nil, let cached = cache.scan(id: id, includingRaw: false) { return cached }
        let stored: Scan?
        do {
            stored = try await database.scan(id: id)
        } catch {
            throw refusal(error, "the scan")
        }
        guard var scan = stored else { return nil }
        cache.install(scan)
        if !includingRaw { scan.raw = [] }
        return scan
    }

    public func scans(imageId: String) async throws(StateError) -> [Scan] {
        do {
            return try await database.scans(imageId: imageId).map { scan in
                var scan = scan
                scan.raw = []
                return scan
            }
        } catch {
            throw refusal(error, "the image's scans")
        }
    }

    public func list(_ query: ScanQuery) async throws(StateError) -> ScanPage {
        do {
            // Rows the cache holds at the same revision are taken from it rather than decoded.
            let cache = self.cache
            return try await database.list(query) { id, revision in
                guard let cached = cache.scan(id: id, includingRaw: false), cached.revision == revision else { return nil }
                return cached
            }
        } catch is ScanQuery.InvalidPageToken {
            throw .invalidPageToken
        } catch {
            throw refusal(error, "the list")
        }
    }

    public func waitForChange(
        id: String, from revision: UInt64, timeout: Duration, clock: any Clock<Duration>, endingOn latch: Latch?
    ) async -> WaitOutcome {
        await cache.waitForChange(id: id, from: revision, timeout: timeout, clock: clock, endingOn: latch)
    }

    // MARK: Lifecycle

    public func resumeWatches(into scheduler: WatchScheduler) async {}

    /// Connects (again and again while the database cannot be reached), migrates, follows the event table and
    /// deletes what is past retention, until the calling task is cancelled.
    public func run() async {
        var cursor: UInt64?
        while !Task.isCancelled, cursor == nil {
            do {
                try await migrate()
                cursor = try await database.lastEventId()
            } catch {
                logger.warning("state.postgres: the database cannot be reached", metadata: ["reason": "\(error)"])
                try? await Task.sleep(for: configuration.reconnectEvery)
            }
        }
        guard let cursor, !Task.isCancelled, startFeed(after: cursor) else { return }
        while !Task.isCancelled {
            try? await Task.sleep(for: configuration.retentionEvery)
            guard !Task.isCancelled else { break }
            do {
                _ = try await database.pruneDeliveries(olderThan: configuration.dedupeWindow)
                _ = try await database.pruneEvents(keepLast: configuration.eventsKept, olderThan: configuration.eventMaxAge)
            } catch {
                logger.warning("state.postgres: retention failed; retrying later", metadata: ["reason": "\(error)"])
            }
        }
    }

    /// Follows the event table from the last events the ring can hold before `newest`, so a replica that just
    /// started resumes `Last-Event-ID`s as far back as its ring reaches.
    private func startFeed(after newest: UInt64) -> Bool {
        let ring = UInt64(cache.events.capacity)
        let start = newest > ring ? newest - ring : 0
        cache.events.startNumbering(after: start)
        let cache = self.cache, installed = installedEvents
        do {
            let feed = try PostgresEventFeed(state: database, settings: settings, after: start) { update in
                Self.deliver(update, to: cache, installed: installed)
            }
            let closed = status.withLock { status in
                if !status.closed { status.feed = feed }
                return status.closed
            }
            if closed { Task { await feed.stop() } }
            return !closed
        } catch {
            logger.error("state.postgres: the event feed cannot start", metadata: ["reason": "\(error)"])
            return false
        }
    }

    /// Puts what another replica (or this one) committed into the ring and the cache, in id order; the scans of
    /// events in `installed` are in the cache already (this replica's own writes) and are not decoded again.
    static func deliver(_ update: PostgresEventFeed.Update, to cache: ScanStore, installed: InstalledEvents) {
        let skipped = installed.take(page: update.events.map(\.id))
        for event in update.events {
            cache.events.append(Event(id: event.id, type: event.type, payload: event.payload))
            guard event.scanId != nil, !skipped.contains(event.id) else { continue }
            if let scan = ScanEventData.scan(in: event.payload) { cache.install(scan) }
        }
    }

    public func close() async {
        let feed = status.withLock { status in
            status.closed = true
            defer { status.feed = nil }
            return status.feed
        }
        await feed?.stop()
        // Joined on a thread of its own: a query in flight may take up to its statement timeout to end, and no Swift
        // concurrency thread (two on a two-core machine) may block that long.
        await database.pool.shutdown()
    }

    // MARK: Helpers

    /// The scan a committed write made, into this replica's cache (a newer revision only); its event, when the feed
    /// reads it back, then needs no decoding.
    private func install(_ applied: AppliedUpdate) {
        // Noted only when installed: a cache full of fresh scans refuses it, and the feed's copy may then find room.
        guard let scan = applied.outcome.scan, cache.install(scan), let event = applied.event else { return }
        installedEvents.note([event.id])
    }

    /// A database failure in the store's own words: the change was not made (the transaction rolled back), the
    /// client may retry. The message names no connection string, host or password.
    private func refusal(_ error: any Error, _ what: String) -> StateError {
        logger.warning("state.postgres: \(what) failed", metadata: ["reason": "\(error)"])
        if let error = error as? PostgresError, error.kind == .poolTimeout {
            return .unavailable("\(what) cannot be stored now: the database is busy", retryAfterSeconds: 1)
        }
        if let error = error as? PostgresError, [.connectionFailed, .connectionLost].contains(error.kind) {
            status.withLock { $0.feed }?.readNow()
        }
        return .unavailable("\(what) cannot be stored now: the database cannot be reached", retryAfterSeconds: 5)
    }
}

/// The `data:` of a `scan.*` event, read back into a scan for the cache (without `raw`, which events do not carry).
enum ScanEventData: Decodable {
    case scan(Scan)

    enum CodingKeys: String, CodingKey { case scan }

    init(from decoder: any Decoder) throws {
        self = .scan(try decoder.container(keyedBy: CodingKeys.self).decode(Scan.self, forKey: .scan))
    }

    static func scan(in payload: [UInt8]) -> Scan? {
        guard case .scan(let scan)? = try? JSONDecoder().decode(Self.self, from: Data(payload)) else { return nil }
        return scan
    }
}
