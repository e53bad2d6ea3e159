/// Follows one scan, or the newest scan of one image, until it is final or the deadline passes.
///
/// Waiting is done by the service: `GET /v1/scans/{id}?wait=` holds each request until the scan changes. Only an
/// image without any scan yet, or a scan id the service does not know yet, is re-checked on a fixed interval.
struct ScanFollower {
    enum Target {
        case scan(String)
        case image(String)
    }

    enum Outcome {
        case final(ScanSnapshot)
        /// Every child of a multi-arch index has a final scan: the newest of each, in the index's order.
        case finalIndex(imageId: String, children: [ScanSnapshot])
        case timedOut(last: ScanSnapshot?)
    }

    let client: ServiceClient
    let target: Target
    let deadline: ContinuousClock.Instant
    var progress: WaitProgress

    /// Longest single long-poll; an image is re-listed at least this often to notice a newer scan.
    static let longPoll: Duration = .seconds(60)
    static let imageRecheck: Duration = .seconds(20)
    /// Interval while there is nothing to long-poll on yet.
    static let absentRecheck: Duration = .seconds(5)
    /// Consecutive transient failures tolerated (a restarting service) before giving up with exit 3.
    static let maxTransientFailures = 5

    mutating func run() async throws(ServiceClient.Failure) -> Outcome {
        var last: ScanSnapshot?
        var etag: String?
        var failures = 0
        var contacted = false
        while remaining > .zero {
            do {
                switch target {
                case .scan(let id):
                    // The first request answers at once, so progress shows the current state; then long-polls.
                    let wait = etag == nil ? nil : min(Self.longPoll, remaining)
                    switch try await client.scan(id: id, wait: wait, etag: etag) {
                    case .value(let scan, let newTag):
                        (last, etag) = (scan, newTag)
                        if scan.isFinal { return .final(scan) }
                        progress.show(Self.describe(scan))
                    case .notModified:
                        break
                    case .notFound:
                        progress.show("\(id): not known to the service yet")
                        try await pause(Self.absentRecheck)
                    }
                case .image(let imageId):
                    guard case .value(let list, _) = try await client.scans(ofImage: imageId) else {
                        progress.show("image \(imageId): no scan yet")
                        try await pause(Self.absentRecheck)
                        break
                    }
                    if let index = list.index {
                        let children = index.children.map { list.newest(of: $0) }
                        let final = children.compactMap { $0 }.filter(\.isFinal)
                        if final.count == index.children.count { return .finalIndex(imageId: imageId, children: final) }
                        progress.show("index \(imageId): \(final.count) of \(index.children.count) child images have a final scan")
                        // Wakes on an unfinished child's next change, else re-lists after a while.
                        if let running = children.compactMap({ $0 }).first(where: { !$0.isFinal }) {
                            last = running
                            _ = try await client.scan(id: running.id, wait: min(Self.imageRecheck, remaining), etag: nil)
                        } else {
                            try await pause(Self.absentRecheck)
                        }
                        break
                    }
                    guard let newest = list.newest() else {
                        progress.show("image \(imageId): no scan yet")
                        try await pause(Self.absentRecheck)
                        break
                    }
                    if newest.id != last?.id { etag = nil }
                    last = newest
                    if newest.isFinal { return .final(newest) }
                    progress.show("image \(imageId): " + Self.describe(newest))
                    // Wakes on the scan's next change; the image is listed again afterwards in case a newer scan began.
                    if case .value(let scan, let newTag) = try await client.scan(
                        id: newest.id, wait: min(Self.imageRecheck, remaining), etag: etag
                    ) {
                        etag = newTag
                        last = scan
                    }
                }
                failures = 0
                contacted = true
            } catch {
                // Unreachable before the first answer is a wrong --server, not a hiccup: exit at once.
                guard case .transient(let reason) = error, contacted, failures < Self.maxTransientFailures else { throw error }
                failures += 1
                progress.show("\(reason); retrying (\(failures)/\(Self.maxTransientFailures))")
                try? await pause(.seconds(1 << min(failures, 4)))
            }
        }
        return .timedOut(last: last)
    }

    private var remaining: Duration { ContinuousClock.now.duration(to: deadline) }

    private func pause(_ duration: Duration) async throws(ServiceClient.Failure) {
        do {
            try await Task.sleep(for: min(duration, max(remaining, .zero)))
        } catch {
            throw .refused("interrupted")
        }
    }

    static func describe(_ scan: ScanSnapshot) -> String {
        "\(scan.id) \(scan.status)" + (scan.upstreamStatus.map { " (upstream \($0))" } ?? "")
    }
}
