import Foundation
import Providers
import ScanCore

/// Which webhook's scan a watch follows: the one rule `matchWebhook` applies, shared by every store of watches.
public enum WatchFollowing {
    /// Whether a webhook's scan is the one `ref` follows. A Yandex ref by image takes only results from the
    /// watched scan's start on, as the poller does.
    public static func follows(_ ref: ScanRef, _ update: ScanUpdate, since scanStartedAt: Date) -> Bool {
        switch ref {
        case .binarly(let productId, let imageId, let scanId):
            return update.subject.imageId == imageId && (update.subject.productId.map { $0 == productId } ?? true)
                && (scanId.map { $0 == update.upstreamId } ?? true)
        case .yandexImage(let imageId):
            let time = update.upstreamUpdatedAt ?? update.completedAt ?? scanStartedAt
            return update.subject.imageId == imageId && time >= scanStartedAt
        case .yandexScan, .opsmx:
            return ref.upstreamId == update.upstreamId
        case .harbor(let repository, let reference):
            // The artifact's vulnerability scan; an SBOM scan of it settles nothing, nor does a child's scan end a
            // watch on its index (whose digest no child event carries).
            return update.provider == .harbor && update.scanType != "sbom" && update.subject.repository == repository
                && (update.subject.digest == reference || update.subject.tag == reference)
        }
    }

    /// Whether two refs may name the same scan: same kind, and equal in every id both carry.
    public static func overlaps(_ a: ScanRef, _ b: ScanRef) -> Bool {
        switch (a, b) {
        case let (.binarly(p1, i1, s1), .binarly(p2, i2, s2)):
            return p1 == p2 && i1 == i2 && (s1 == nil || s2 == nil || s1 == s2)
        default:
            return a == b
        }
    }

    /// A key a store can index a watch by: every update `follows` matches for `ref` carries it among
    /// ``keys(of:)``, so a store narrows the candidates by key and then applies `follows`.
    public static func key(of ref: ScanRef) -> String {
        switch ref {
        case .binarly(_, let imageId, _), .yandexImage(let imageId): "image:" + imageId
        case .yandexScan, .opsmx: "upstream:" + (ref.upstreamId ?? "")
        case .harbor(let repository, _): "repository:" + repository
        }
    }

    /// The keys of the watches an update may end.
    public static func keys(of update: ScanUpdate) -> [String] {
        var keys = ["image:" + update.subject.imageId, "upstream:" + update.upstreamId]
        if let repository = update.subject.repository { keys.append("repository:" + repository) }
        return keys
    }
}
