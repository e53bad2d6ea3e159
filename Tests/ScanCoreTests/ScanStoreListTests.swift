import Foundation
import Testing
@testable import ScanCore

struct ScanStoreListTests {
    /// `count` scans created at t(0), t(1), ... with ids s0000, s0001, ...
    private func store(with count: Int, maxScans: Int = 100_000) -> ScanStore {
        let store = ScanStore(configuration: .init(maxScans: maxScans))
        for index in 0..<count {
            _ = store.apply(.make(upstreamId: String(format: "s%04d", index), created: .t(Double(index))), now: .t(5000))
        }
        return store
    }

    private func allPages(_ store: ScanStore, _ query: ScanQuery) throws -> [Scan] {
        var query = query
        var scans: [Scan] = []
        repeat {
            let page = try store.list(query)
            #expect(page.scans.count <= query.limit)
            scans += page.scans
            query.pageToken = page.nextPageToken
        } while query.pageToken != nil
        return scans
    }

    @Test func pages_CoverEveryScanOnce_NewestFirst() throws {
        let store = store(with: 53)
        let scans = try allPages(store, ScanQuery(limit: 10))
        #expect(scans.map(\.upstreamId) == (0..<53).reversed().map { String(format: "s%04d", $0) })
    }

    @Test func lastPage_HasNoToken_EvenWhenItIsExactlyFull() throws {
        let store = store(with: 20)
        let first = try store.list(ScanQuery(limit: 10))
        #expect(first.nextPageToken != nil)
        let second = try store.list(ScanQuery(limit: 10, pageToken: first.nextPageToken))
        #expect(second.scans.count == 10)
        #expect(second.nextPageToken == nil)
        #expect(try store.list(ScanQuery(limit: 100)).nextPageToken == nil)
        #expect(try ScanStore().list(ScanQuery()).scans.isEmpty)
    }

    @Test func equalCreationTimes_AreOrderedById() throws {
        let store = ScanStore()
        for id in ["b", "a", "c"] { _ = store.apply(.make(upstreamId: id, created: .t(1)), now: .t(2)) }
        #expect(try allPages(store, ScanQuery(limit: 1)).map(\.upstreamId) == ["c", "b", "a"])
    }

    @Test func badPageTokens_AreRejected() {
        let store = store(with: 3)
        for token in ["", "!!!", "AAAA", "not base64 at all"] {
            #expect(throws: ScanQuery.InvalidPageToken.self) { try store.list(ScanQuery(pageToken: token)) }
        }
    }

    @Test func pagination_UnderConcurrentInserts_NeitherRepeatsNorSkipsExistingScans() async throws {
        let store = store(with: 600)
        let existing = Set(try allPages(store, ScanQuery(limit: 1000)).map(\.id))
        async let writer: Void = Task.detached {
            for index in 0..<600 {
                // Newer scans, and some older than everything, landing behind the reader.
                let created = index % 3 == 0 ? Date.t(Double(-index - 1)) : .t(Double(10_000 + index))
                _ = store.apply(.make(upstreamId: "new\(index)", created: created), now: .t(6000))
            }
        }.value
        let seen = try await Task.detached { try allPages(store, ScanQuery(limit: 7)).map(\.id) }.value
        await writer
        #expect(seen.count == Set(seen).count)
        #expect(existing.isSubset(of: Set(seen)))
    }

    @Test func filters_CombineWithAnd() throws {
        let store = ScanStore()
        _ = store.apply(.make(source: "b1", upstreamId: "1", imageId: "i1", status: .running, productId: "p1"), now: .t(1))
        _ = store.apply(.make(source: "b1", upstreamId: "2", imageId: "i2", status: .completed, productId: "p1"), now: .t(2))
        _ = store.apply(.make(source: "b2", upstreamId: "3", imageId: "i1", status: .completed, productId: "p2"), now: .t(3))
        func ids(_ query: ScanQuery) throws -> [String] { try store.list(query).scans.map(\.id) }
        #expect(try ids(ScanQuery(source: "b1")) == ["b1:2", "b1:1"])
        #expect(try ids(ScanQuery(status: .completed)) == ["b2:3", "b1:2"])
        #expect(try ids(ScanQuery(imageId: "i1")) == ["b2:3", "b1:1"])
        #expect(try ids(ScanQuery(status: .running, imageId: "i1")) == ["b1:1"])
        #expect(try ids(ScanQuery(status: .completed, productId: "p1")) == ["b1:2"])
        #expect(try ids(ScanQuery(provider: .binarly)).count == 3)
        #expect(try ids(ScanQuery(provider: .yandex)).isEmpty)
        #expect(try ids(ScanQuery(source: "nope")).isEmpty)
    }

    @Test func updatedSince_IsInclusive() throws {
        let store = ScanStore()
        for index in 0..<5 { _ = store.apply(.make(upstreamId: "\(index)"), now: .t(Double(index))) }
        #expect(try store.list(ScanQuery(updatedSince: .t(3))).scans.map(\.upstreamId) == ["4", "3"])
        #expect(try store.list(ScanQuery(updatedSince: .t(3.5))).scans.map(\.upstreamId) == ["4"])
    }

    @Test func imageFilter_PaginatesToo() throws {
        let store = ScanStore()
        for index in 0..<25 {
            _ = store.apply(.make(upstreamId: "\(index)", imageId: index % 2 == 0 ? "even" : "odd", created: .t(Double(index))), now: .t(100))
        }
        let scans = try allPages(store, ScanQuery(imageId: "even", limit: 4))
        #expect(scans.map(\.upstreamId) == stride(from: 24, through: 0, by: -2).map(String.init))
    }

    @Test func scanWhoseCreationTimeBecomesKnown_MovesAndIsListedOnce() throws {
        let store = store(with: 10)
        _ = store.apply(.make(upstreamId: "late"), now: .t(6000))
        #expect(try store.list(ScanQuery(limit: 1)).scans.first?.upstreamId == "late")
        _ = store.apply(.make(upstreamId: "late", created: .t(4.5)), now: .t(6001))
        let ids = try allPages(store, ScanQuery(limit: 3)).map(\.upstreamId)
        #expect(ids.filter { $0 == "late" }.count == 1)
        #expect(ids.firstIndex(of: "late") == ids.firstIndex(of: "s0005").map { $0 + 1 })
    }

    @Test func selectiveFilters_ArePagedWithinTheWalkBudget_AndStillFindEveryMatch() throws {
        let store = ScanStore(configuration: .init(listWalkBudget: 10))
        for index in 0..<95 {
            let status: ScanStatus = index % 20 == 0 ? .failed : .running
            _ = store.apply(.make(upstreamId: "\(index)", status: status, created: .t(Double(index))), now: .t(100))
        }
        var query = ScanQuery(status: .failed, limit: 2)
        var pages: [ScanPage] = []
        repeat {
            pages.append(try store.list(query))
            query.pageToken = pages.last?.nextPageToken
        } while query.pageToken != nil && pages.count < 100
        #expect(pages.flatMap(\.scans).map(\.upstreamId) == ["80", "60", "40", "20", "0"])
        #expect(pages.contains { $0.scans.isEmpty })
        #expect(pages.last?.nextPageToken == nil)
    }

    @Test func walkBudget_CountsEvictedEntriesToo_AndStillMovesOn() throws {
        let store = ScanStore(configuration: .init(maxScans: 5, listWalkBudget: 2))
        for index in 0..<12 {
            _ = store.apply(.make(upstreamId: "\(index)", status: .completed, created: .t(Double(index))), now: .t(Double(index)))
        }
        let scans = try allPages(store, ScanQuery(limit: 100))
        #expect(scans.map(\.upstreamId) == ["11", "10", "9", "8", "7"])
    }
}
