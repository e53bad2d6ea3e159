import Foundation

/// Every time and limit of polling, from `poll:` in the configuration. Defaults are the product's; tests shrink them
/// to milliseconds.
public struct PollPolicy: Sendable, Equatable {
    /// A span of time: the expected duration of a scan, or the range poll intervals move in.
    public struct Span: Sendable, Equatable {
        public var min: Duration
        public var max: Duration
        public init(min: Duration, max: Duration) {
            self.min = min
            self.max = Swift.max(min, max)
        }
    }

    /// One row of the expected-duration table: images smaller than `below` bytes (the last row has no bound).
    public struct SizeClass: Sendable, Equatable {
        public var below: Int64?
        public var expected: Span
        public init(below: Int64?, expected: Span) {
            self.below = below
            self.expected = expected
        }
    }

    /// Images at or above this size are polled on schedule and never wait for a webhook.
    public var largeImageBytes: Int64 = 500 << 20
    /// Binarly's table: < 64 MiB 5–10 min, < 500 MiB 10–60 min, larger an hour to three.
    public var expectedDuration: [SizeClass] = [
        SizeClass(below: 64 << 20, expected: Span(min: .seconds(5 * 60), max: .seconds(10 * 60))),
        SizeClass(below: 500 << 20, expected: Span(min: .seconds(10 * 60), max: .seconds(60 * 60))),
        SizeClass(below: nil, expected: Span(min: .seconds(60 * 60), max: .seconds(3 * 3600))),
    ]
    /// Used when the image size is not known (e.g. a Yandex `CreateImage` trigger).
    public var unknownSize = Span(min: .seconds(5 * 60), max: .seconds(60 * 60))
    /// Poll intervals start at `min` and grow by `intervalGrowth` per poll up to `max`.
    public var interval = Span(min: .seconds(30), max: .seconds(5 * 60))
    public var intervalGrowth = 1.5
    /// After errors: `base`, doubling per consecutive error up to `max`, with jitter.
    public var backoff = Span(min: .seconds(1), max: .seconds(5 * 60))
    /// A watch that has not ended by `createdAt + maxWatchAge` expires. Ended watches stay readable this long after
    /// they end, then age out.
    public var maxWatchAge: Duration = .seconds(24 * 3600)
    /// Upstream calls in flight at once, per source.
    public var concurrencyPerSource = 4
    /// Bounds each upstream call.
    public var requestTimeout: Duration = .seconds(30)
    /// Watches held at once (active and ended). Past it, a new watch is refused once no ended watch can make room.
    public var maxWatches = 100_000

    public init() {}

    /// The expected scan time for an image of this size.
    public func expectedSpan(imageSizeBytes: Int64?) -> Span {
        guard let size = imageSizeBytes else { return unknownSize }
        return expectedDuration.first { $0.below.map { size < $0 } ?? true }?.expected ?? unknownSize
    }

    /// Whether an image this size is at or above the large-image threshold. An unknown size is not known to be large.
    public func isLarge(imageSizeBytes: Int64?) -> Bool {
        imageSizeBytes.map { $0 >= largeImageBytes } ?? false
    }
}
