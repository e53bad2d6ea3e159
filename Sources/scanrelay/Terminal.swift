import Foundation

/// Plain output helpers: errors and progress go to standard error, results to standard output.
enum Terminal {
    static func printError(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    /// Whether standard error is a terminal, so progress may redraw one line with `\r`.
    static var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }
}

extension Terminal {
    /// Writes to standard error without a newline, for a line redrawn in place.
    static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
