import FleetClient
import Foundation

/// Redraws one progress line on stderr, at most ten times a second, while a transfer runs; draws
/// nothing unless stderr is a terminal.
final class TransferProgressLine {
    enum Direction { case upload, download }

    private let direction: Direction
    private let label: String
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    private var lastDrawn: ContinuousClock.Instant?
    private var latest = TransferProgress()
    private var drew = false

    /// Runs `transfer` with a progress line labelled `label` on stderr when it is a terminal, ending the line
    /// however the transfer ends; `transfer` gets the callback to hand to the client (nil without a terminal).
    static func showing<T>(_ direction: Direction, label: String, _ transfer: (((TransferProgress) -> Void)?) throws -> T) rethrows -> T {
        let line = Terminal.stderrIsTTY ? TransferProgressLine(direction, label: label) : nil
        defer { line?.finish() }
        return try transfer(line.map { line in { line.update($0) } })
    }

    private init(_ direction: Direction, label: String) {
        self.direction = direction
        self.label = label
        started = clock.now
    }

    func update(_ progress: TransferProgress) {
        latest = progress
        let now = clock.now
        if let lastDrawn, lastDrawn.duration(to: now) < .milliseconds(100) { return }
        lastDrawn = now
        draw()
    }

    /// Draws the final state and ends the line.
    func finish() {
        guard drew else { return }
        draw()
        FileHandle.standardError.write(Data("\n".utf8))
    }

    private func draw() {
        let (done, total) = direction == .upload ? (latest.uploaded, latest.uploadTotal) : (latest.downloaded, latest.downloadTotal)
        guard done > 0 || total > 0 else { return }
        let width = Terminal.columns - label.count - 2
        let line = ProgressBar.render(done: done, total: total, elapsed: started.duration(to: clock.now), width: width)
        // Carriage return, then erase to the end of the line: the line is redrawn in place.
        FileHandle.standardError.write(Data("\r\(label)  \(line)\u{1B}[K".utf8))
        drew = true
    }
}
