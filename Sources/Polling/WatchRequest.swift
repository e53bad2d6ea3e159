import Foundation
import Providers

/// What `POST /v1/watches` asks for, after the API has parsed the body.
public struct WatchRequest: Sendable {
    public var source: String
    public var ref: ScanRef
    public var imageSizeBytes: Int64?
    public var expectWebhook: Bool
    /// Defaults to the watch's creation.
    public var scanStartedAt: Date?

    public init(source: String, ref: ScanRef, imageSizeBytes: Int64? = nil, expectWebhook: Bool = false, scanStartedAt: Date? = nil) {
        self.source = source
        self.ref = ref
        self.imageSizeBytes = imageSizeBytes
        self.expectWebhook = expectWebhook
        self.scanStartedAt = scanStartedAt
    }
}

/// Why a watch was not created.
public enum WatchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No source of that name polls an upstream (the API answers 422 naming `source`).
    case unknownSource(String)
    /// The ref names another provider's scan (422 naming `ref`).
    case refDoesNotFitProvider(source: String)
    /// `maxWatches` active watches are held already (503, retry later).
    case tooManyWatches(limit: Int)

    public var description: String {
        switch self {
        case .unknownSource(let name): "source '\(name)' is not configured with an upstream to poll"
        case .refDoesNotFitProvider(let source): "ref does not name a scan of source '\(source)''s provider"
        case .tooManyWatches(let limit): "\(limit) watches are held already"
        }
    }
}
