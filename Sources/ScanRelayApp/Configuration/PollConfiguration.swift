/// When and how often upstreams are polled. Mapped by the application onto Polling's own policy type.
public struct PollConfiguration: Sendable, Equatable {
    /// At or above this image size a watch polls on schedule and never waits for a webhook.
    public var largeImageBytes: Int
    /// Expected scan time by image size, smallest first; the last row has no `below` and catches the rest.
    public var expectedDuration: [ExpectedDurationRow]
    /// Expected scan time when the image size is not known.
    public var unknownSize: DurationRange
    /// Poll interval while a scan runs: starts at `min`, grows ×1.5 per poll up to `max`.
    public var interval: DurationRange
    /// After upstream errors: exponential from `base` up to `max`, with jitter.
    public var backoff: Backoff
    /// A watch still not done after this expires.
    public var maxWatchAge: Duration
    /// Upstream calls in flight per source.
    public var concurrencyPerSource: Int
    /// Bound of each upstream call.
    public var requestTimeout: Duration
    /// Watches held at once; beyond, `POST /v1/watches` answers `503`.
    public var maxWatches: Int

    public init(
        largeImageBytes: Int = 500 * 1024 * 1024,
        expectedDuration: [ExpectedDurationRow] = ExpectedDurationRow.binarlyTable,
        unknownSize: DurationRange = DurationRange(min: .seconds(5 * 60), max: .seconds(60 * 60)),
        interval: DurationRange = DurationRange(min: .seconds(30), max: .seconds(5 * 60)),
        backoff: Backoff = Backoff(),
        maxWatchAge: Duration = .seconds(24 * 60 * 60),
        concurrencyPerSource: Int = 4,
        requestTimeout: Duration = .seconds(30),
        maxWatches: Int = 10_000
    ) {
        self.largeImageBytes = largeImageBytes
        self.expectedDuration = expectedDuration
        self.unknownSize = unknownSize
        self.interval = interval
        self.backoff = backoff
        self.maxWatchAge = maxWatchAge
        self.concurrencyPerSource = concurrencyPerSource
        self.requestTimeout = requestTimeout
        self.maxWatches = maxWatches
    }

    public struct DurationRange: Sendable, Equatable {
        public var min: Duration
        public var max: Duration

        public init(min: Duration, max: Duration) {
            self.min = min
            self.max = max
        }
    }

    public struct ExpectedDurationRow: Sendable, Equatable {
        /// Images smaller than this many bytes use this row; `nil` in the last row only.
        public var below: Int?
        public var duration: DurationRange

        public init(below: Int?, duration: DurationRange) {
            self.below = below
            self.duration = duration
        }

        /// Binarly's table: < 64 MiB 5–10 min, 64–500 MiB 10–60 min, larger an hour or more.
        public static let binarlyTable: [ExpectedDurationRow] = [
            ExpectedDurationRow(below: 64 * 1024 * 1024, duration: DurationRange(min: .seconds(300), max: .seconds(600))),
            ExpectedDurationRow(below: 500 * 1024 * 1024, duration: DurationRange(min: .seconds(600), max: .seconds(3600))),
            ExpectedDurationRow(below: nil, duration: DurationRange(min: .seconds(3600), max: .seconds(3 * 3600))),
        ]
    }

    public struct Backoff: Sendable, Equatable {
        public var base: Duration
        public var max: Duration

        public init(base: Duration = .seconds(1), max: Duration = .seconds(5 * 60)) {
            self.base = base
            self.max = max
        }
    }
}
