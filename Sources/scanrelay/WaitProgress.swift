import Foundation

/// Shows what `wait` is waiting for: one redrawn line on a terminal, a plain line per change otherwise (CI logs).
struct WaitProgress {
    let redraw: Bool
    let started = ContinuousClock.now
    private var lastLine: String?

    init(redraw: Bool = Terminal.standardErrorIsTerminal) {
        self.redraw = redraw
    }

    mutating func show(_ text: String) {
        if redraw {
            let elapsed = DurationFormatting.short(ContinuousClock.now - started)
            Terminal.write("\r\u{1B}[K\(text) [\(elapsed)]")
        } else if text != lastLine {
            Terminal.printError("\(Self.clock()) \(text)")
        }
        lastLine = text
    }

    /// Ends the redrawn line so the verdict starts on a fresh one.
    func finish() {
        if redraw, lastLine != nil { Terminal.write("\n") }
    }

    private static func clock() -> String {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        return String(format: "%02d:%02d:%02d", parts.tm_hour, parts.tm_min, parts.tm_sec)
    }
}

enum DurationFormatting {
    /// `42s`, `3m05s`, `1h02m`.
    static func short(_ duration: Duration) -> String {
        let seconds = Int(duration.components.seconds)
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return String(format: "%dm%02ds", seconds / 60, seconds % 60) }
        return String(format: "%dh%02dm", seconds / 3600, seconds % 3600 / 60)
    }
}
