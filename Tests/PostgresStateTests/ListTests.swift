import Foundation
import Locking
import Postgres
import PostgresState
import ScanCore
import Testing

@Suite struct ListTests {
    /// Scans with creation times that tie (to the bit), first-seen times, several sources and images.
    static func updates() -> [ScanUpdate] {
        (0..<57).map(update)
    }

    static func update(_ index: Int) -> ScanUpdate {
        let source = index % 3 == 0 ? "harbor-prod" : "harbor-dev"
        let upstreamId = "scan-" + String(index, radix: 7) + "-" + String(index % 4)
        let status: ScanStatus = index % 2 == 0 ? .completed : .running
        let created: Date? = index % 6 == 5 ? nil : .t(Double(index / 4) + 0.000_001 * Double(index % 2))
        return ScanUpdate.make(
            source: source, upstreamId: upstreamId, imageId: "image-\(index % 5)", status: status, created: created,
            updated: .t(1000), productId: index % 4 == 0 ? "product-a" : nil)
    }

    @Test func keysetPagesEqualTheMemoryStoresOrderAndTokens() async throws {
        let database = try await TestDatabase.make()
        defer { database.close() }
        for (index, update) in Self.updates().enumerated() {
            _ = try await database.state.acceptDelivery(key: "d\(index)", window: .seconds(60), updates: [update])
        }
        // The same scans (same times, to the bit) in a replica's memory.
        var all: [Scan] = []
        var query = ScanQuery(limit: 1000, includeRaw: true)
        repeat {
            let page = try await database.state.list(query)
            all += page.scans
            query.pageToken = page.nextPageToken
        } while query.pageToken != nil
        #expect(all.count == 57)
        let memory = ScanStore()
        memory.restore(all)

        let queries = [
            ScanQuery(limit: 7), ScanQuery(limit: 1), ScanQuery(source: "harbor-prod", limit: 4),
            ScanQuery(status: .completed, limit: 5), ScanQuery(imageId: "image-3", limit: 2), ScanQuery(productId: "product-a", limit: 3),
            ScanQuery(provider: .harbor, updatedSince: .t(1000), limit: 10), ScanQuery(updatedSince: .t(1000.5), limit: 10),
        ]
        for start in queries {
            var fromDatabase: [[String]] = []
            var fromMemory: [[String]] = []
            var tokens: [String?] = []
            var next: ScanQuery? = start
            while let query = next {
                let page = try await database.state.list(query)
                fromDatabase.append(page.scans.map(\.id))
                tokens.append(page.nextPageToken)
                next = page.nextPageToken.map { token in
                    var query = start
                    query.pageToken = token
                    return query
                }
                #expect(fromDatabase.count < 100)
            }
            next = start
            while let query = next {
                let page = try memory.list(query)
                fromMemory.append(page.scans.map(\.id))
                next = page.nextPageToken.map { token in
                    var query = start
                    query.pageToken = token
                    return query
                }
                #expect(fromMemory.count < 100)
            }
            // The same scans in the same order; pages cut alike wherever the memory walk filled its pages.
            #expect(fromDatabase.joined().elementsEqual(fromMemory.joined()), "\(start)")
            #expect(Set(fromDatabase.joined()).count == fromDatabase.joined().count)
            // A database token continues the memory list where the database page ended, and the other way round.
            if let token = tokens.first ?? nil {
                var query = start
                query.pageToken = token
                #expect(try memory.list(query).scans.first?.id == fromDatabase.joined().dropFirst(start.limit).first, "\(start)")
            }
        }
        let imageScans = try await database.state.scans(imageId: "image-3")
        #expect(try imageScans.map(\.id) == memory.list(ScanQuery(imageId: "image-3", limit: 100)).scans.map(\.id))
        await #expect(throws: ScanQuery.InvalidPageToken.self) {
            try await database.state.list(ScanQuery(pageToken: "!!"))
        }
    }

    /// A row whose id and revision the caller already knows (a replica's cache) is taken from it, not decoded; any
    /// other revision is decoded; a page with `raw` never asks.
    @Test func rowsTheCallerKnowsAtTheirRevisionAreNotDecoded() async throws {
        let database = try await TestDatabase.make()
        defer { database.close() }
        for index in 0..<6 {
            _ = try await database.state.acceptDelivery(key: "d\(index)", window: .seconds(60), updates: [Self.update(index)])
        }
        let stored = try await database.state.list(ScanQuery(limit: 10)).scans
        let knownId = stored[2].id, knownRevision = stored[2].revision
        var cached = stored[2]
        cached.upstreamStatus = "from the cache"
        let marker = cached
        let asked = Locked<[String]>([])
        let known: @Sendable (String, UInt64) -> Scan? = { id, revision in
            asked.withLock { $0.append(id) }
            return id == knownId && revision == knownRevision ? marker : nil
        }
        let page = try await database.state.list(ScanQuery(limit: 10), known: known)
        #expect(page.scans.map(\.id) == stored.map(\.id))
        #expect(page.scans[2].upstreamStatus == "from the cache")
        #expect(page.scans.enumerated().allSatisfy { $0.offset == 2 || $0.element == stored[$0.offset] })
        #expect(asked.withLock { $0 } == stored.map(\.id))

        // The scan changes: its new revision is decoded, whatever the caller holds for the old one.
        var changed = try #require((0..<6).map(Self.update).first { $0.scanId == knownId })
        changed.status = .failed
        changed.upstreamUpdatedAt = .t(2000)
        _ = try await database.state.acceptDelivery(key: "d-changed", window: .seconds(60), updates: [changed])
        let after = try await database.state.list(ScanQuery(limit: 10), known: known).scans
        #expect(after.first { $0.id == knownId }?.upstreamStatus != "from the cache")

        asked.withLock { $0 = [] }
        _ = try await database.state.list(ScanQuery(limit: 10, includeRaw: true), known: known)
        #expect(asked.withLock { $0 }.isEmpty)
    }
}
