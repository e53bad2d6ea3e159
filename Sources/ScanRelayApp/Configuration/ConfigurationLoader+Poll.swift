import Yams

/// Reader of the `poll` section: sizes, the expected-duration table and the interval and backoff ranges.
extension ConfigurationLoader {
    func readPoll(_ section: ConfigMapping) -> PollConfiguration {
        var poll = PollConfiguration()
        if let value = section.size("largeImageBytes") { poll.largeImageBytes = value }
        if let rows = section.sequence("expectedDuration") {
            poll.expectedDuration = readExpectedDuration(rows, path: section.childPath("expectedDuration"), section: section)
                ?? poll.expectedDuration
        }
        if let range = section.mapping("unknownSize") { poll.unknownSize = readRange(range, default: poll.unknownSize) }
        if let range = section.mapping("interval") { poll.interval = readRange(range, default: poll.interval) }
        if let backoff = section.mapping("backoff") { poll.backoff = readBackoff(backoff, default: poll.backoff) }
        if let value = section.duration("maxWatchAge") { poll.maxWatchAge = value }
        if let value = section.int("concurrencyPerSource", in: 1...256) { poll.concurrencyPerSource = value }
        if let value = section.duration("requestTimeout") { poll.requestTimeout = value }
        if let value = section.int("maxWatches", in: 1...10_000_000) { poll.maxWatches = value }
        section.finish()
        return poll
    }

    /// Rows must grow in `below`; every row but the last has one, the last has none (it catches every larger image).
    private func readExpectedDuration(
        _ nodes: [Node], path: String, section: ConfigMapping
    ) -> [PollConfiguration.ExpectedDurationRow]? {
        guard !nodes.isEmpty else {
            section.report("is empty; give at least one row { min, max } (the last row without below)", key: "expectedDuration")
            return nil
        }
        var rows: [PollConfiguration.ExpectedDurationRow] = []
        var valid = true
        for (index, node) in nodes.enumerated() {
            guard let row = section.reader.mapping(node, path: "\(path)[\(index)]") else { valid = false; continue }
            let isLast = index == nodes.count - 1
            let below = row.size("below")
            if isLast, row.contains("below") {
                row.report("the last row has no below: it covers every larger image", key: "below")
                valid = false
            } else if !isLast, below == nil {
                if !row.contains("below") { row.reportMissing("below", "every row but the last gives the size it applies below") }
                valid = false
            }
            if let below, let previous = rows.last?.below, below <= previous {
                row.report("must be larger than the previous row's below; order rows from small to large images", key: "below")
                valid = false
            }
            if let range = readRequiredRange(row) {
                rows.append(PollConfiguration.ExpectedDurationRow(below: isLast ? nil : below, duration: range))
            } else {
                valid = false
            }
            row.finish()
        }
        return valid ? rows : nil
    }

    private func readRequiredRange(_ row: ConfigMapping) -> PollConfiguration.DurationRange? {
        let min = row.duration("min")
        let max = row.duration("max")
        if !row.contains("min") { row.reportMissing("min", "give the shortest expected scan time, e.g. 5m") }
        if !row.contains("max") { row.reportMissing("max", "give the longest expected scan time, e.g. 10m") }
        guard let min, let max else { return nil }
        guard min <= max else {
            row.report("must not be below min (\(DurationSyntax.format(min)))", key: "max")
            return nil
        }
        return PollConfiguration.DurationRange(min: min, max: max)
    }

    private func readRange(
        _ section: ConfigMapping, default range: PollConfiguration.DurationRange
    ) -> PollConfiguration.DurationRange {
        let min = section.duration("min") ?? range.min
        let max = section.duration("max") ?? range.max
        section.finish()
        guard min <= max else {
            if section.contains("max") {
                section.report("must not be below min (\(DurationSyntax.format(min)))", key: "max")
            } else {
                section.report("must not be above max (\(DurationSyntax.format(max))); raise max too", key: "min")
            }
            return range
        }
        return PollConfiguration.DurationRange(min: min, max: max)
    }

    private func readBackoff(_ section: ConfigMapping, default backoff: PollConfiguration.Backoff) -> PollConfiguration.Backoff {
        let base = section.duration("base") ?? backoff.base
        let max = section.duration("max") ?? backoff.max
        section.finish()
        guard base <= max else {
            if section.contains("max") {
                section.report("must not be below base (\(DurationSyntax.format(base)))", key: "max")
            } else {
                section.report("must not be above max (\(DurationSyntax.format(max))); raise max too", key: "base")
            }
            return backoff
        }
        return PollConfiguration.Backoff(base: base, max: max)
    }
}
