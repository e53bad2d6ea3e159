import Foundation

/// One page of `GET /v1/watches`.
public struct WatchPage: Sendable, Equatable {
    public var watches: [Watch]
    /// Absent on the last page.
    public var nextPageToken: String?

    public init(watches: [Watch], nextPageToken: String?) {
        self.watches = watches
        self.nextPageToken = nextPageToken
    }
}

/// Listing watches: newest `createdAt` first (ties by id), paged by an opaque token naming the last watch served.
extension WatchScheduler {
    public static let maxPageSize = 1000

    /// Nil when `pageToken` is not one this scheduler made (the API answers 400).
    public func list(state: Watch.State? = nil, limit: Int = 100, pageToken: String? = nil) -> WatchPage? {
        var after: PageCursor?
        if let pageToken {
            guard let cursor = PageCursor(token: pageToken) else { return nil }
            after = cursor
        }
        let limit = min(max(limit, 1), Self.maxPageSize)
        let matching = records.values.lazy.map(\.watch).filter { watch in
            (state.map { watch.state == $0 } ?? true) && (after.map { PageCursor(watch).comesAfter($0) } ?? true)
        }
        let sorted = matching.sorted { PageCursor($1).comesAfter(PageCursor($0)) }
        let page = Array(sorted.prefix(limit))
        let next = sorted.count > limit ? page.last.map { PageCursor($0).token } : nil
        return WatchPage(watches: page, nextPageToken: next)
    }
}

/// A position in the newest-first order.
struct PageCursor {
    var createdAt: Date
    var id: String

    init(_ watch: Watch) {
        createdAt = watch.createdAt
        id = watch.id
    }

    /// Tokens are `<createdAt µs>.<id>`, base64url encoded: opaque to clients, cheap to check.
    init?(token: String) {
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard token.count <= 200, let data = Data(base64Encoded: base64),
              let text = String(data: data, encoding: .utf8), let dot = text.firstIndex(of: "."),
              let micros = Int64(text[..<dot])
        else { return nil }
        createdAt = Date(timeIntervalSince1970: Double(micros) / 1e6)
        id = String(text[text.index(after: dot)...])
    }

    var token: String {
        Data("\(micros).\(id)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    var micros: Int64 { Int64((createdAt.timeIntervalSince1970 * 1e6).rounded()) }

    /// Whether `self` is listed after `other` (older, or as old with a smaller id).
    func comesAfter(_ other: PageCursor) -> Bool {
        micros != other.micros ? micros < other.micros : id < other.id
    }
}

/// The page tokens of `GET /v1/watches` for a store that lists watches itself (a database): the same tokens, so a
/// token means the same position whichever replica, or store, made it.
public enum WatchPageToken {
    /// The token naming `watch` as the last one served.
    public static func after(_ watch: Watch) -> String { PageCursor(watch).token }

    /// The position a token names: `createdAt` in whole microseconds since 1970 and the id; nil when it is not a
    /// token this service made.
    public static func position(_ token: String) -> (createdAtMicros: Int64, id: String)? {
        PageCursor(token: token).map { ($0.micros, $0.id) }
    }
}
