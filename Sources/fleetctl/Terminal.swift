import Foundation

/// What fleetctl needs to know about the terminal it draws on.
enum Terminal {
    /// Whether stderr is a terminal, so that progress lines are for a person watching.
    static var stderrIsTTY: Bool { isatty(STDERR_FILENO) == 1 }

    static var stdoutIsTTY: Bool { isatty(STDOUT_FILENO) == 1 }

    /// `$COLUMNS` when it is a sensible number, else the width of the terminal on stdout (or stderr), else 80.
    static var columns: Int {
        if let text = ProcessInfo.processInfo.environment["COLUMNS"], let columns = Int(text), columns >= 20 { return columns }
        for descriptor in [STDOUT_FILENO, STDERR_FILENO] {
            var size = winsize()
            if ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col >= 20 { return Int(size.ws_col) }
        }
        return 80
    }
}
