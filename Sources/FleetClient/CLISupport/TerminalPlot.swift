import FoundationEssentials
import Glibc
import FleetCore

/// A line chart of one series for a terminal, drawn with braille dots (2 x 4 per character cell): a title,
/// the plot with the largest, middle and smallest value on the y axis, and the first, middle and last
/// time under the x axis. The same points, size and time zone always give the same text.
public struct TerminalPlot: Sendable, Equatable {
    /// Columns of a whole line, axis labels included.
    public var width: Int
    /// Character rows of the plot area.
    public var height: Int
    /// For the time labels.
    public var timeZone: LabelTimeZone

    /// The zone time labels are written in.
    public enum LabelTimeZone: Sendable, Equatable {
        /// The machine's local time (`TZ`, `/etc/localtime`), daylight saving included.
        case local
        /// A fixed offset east of UTC, in seconds.
        case fixed(secondsFromGMT: Int)

        public static let utc = LabelTimeZone.fixed(secondsFromGMT: 0)

        func secondsFromGMT(at seconds: time_t) -> Int {
            switch self {
            case .fixed(let offset): return offset
            case .local:
                var instant = seconds
                var parts = tm()
                guard localtime_r(&instant, &parts) != nil else { return 0 }
                return parts.tm_gmtoff
            }
        }
    }

    public init(width: Int = 80, height: Int = 10, timeZone: LabelTimeZone = .local) {
        self.width = width
        self.height = height
        self.timeZone = timeZone
    }

    /// The chart's lines, each ending with a newline.
    ///
    /// - Parameters:
    ///   - range: the time the x axis spans (the range asked for); without one, the points' own.
    ///   - step: the width of a bucket in seconds. A stretch with no points longer than twice the usual
    ///     spacing of the points (and at least two steps) is a gap and breaks the line, as a nil value does.
    public func render(title: String, points: [MetricPoint], range: ClosedRange<Date>? = nil, step: Double? = nil) -> String {
        let sorted = points.sorted { $0.time < $1.time }
        let values = sorted.compactMap(\.value).filter(\.isFinite)
        guard let low = values.min(), let high = values.max(), let firstPoint = sorted.first?.time, let lastPoint = sorted.last?.time else {
            return "\(title)\n  (no points)\n"
        }
        let first = range.map { min($0.lowerBound, firstPoint) } ?? firstPoint
        let last = range.map { max($0.upperBound, lastPoint) } ?? lastPoint
        let gap = Self.gapThreshold(sorted.map(\.time), step: step)
        let summary = "\(title)  min \(Self.number(low))  max \(Self.number(high))  last \(Self.number(values.last!))\n"

        // A flat series sits in the middle of a range around it.
        let padding = low == high ? (low == 0 ? 1 : abs(low) * 0.1) : 0
        let bottom = low - padding, top = high + padding
        let rows = max(height, 2)
        let dotRows = rows * 4
        let middleRow = rows >= 5 ? rows / 2 : nil
        var labels = [Int: String]()
        labels[0] = Self.number(top)
        labels[rows - 1] = Self.number(bottom)
        if let middleRow {
            // The value at the centre of the middle row's dots.
            let centre = Double(middleRow * 4) + 1.5
            labels[middleRow] = Self.number(top - centre / Double(dotRows - 1) * (top - bottom))
        }
        let labelWidth = labels.values.map(\.count).max() ?? 1
        let columns = max(8, width - labelWidth - 2)
        let dotColumns = columns * 2

        let span = last.timeIntervalSince(first)
        func x(_ time: Date) -> Int {
            span > 0 ? Int((time.timeIntervalSince(first) / span * Double(dotColumns - 1)).rounded()) : 0
        }
        func y(_ value: Double) -> Int {
            Int(((top - value) / (top - bottom) * Double(dotRows - 1)).rounded())
        }

        var cells = [[UInt8]](repeating: [UInt8](repeating: 0, count: columns), count: rows)
        func dot(_ column: Int, _ row: Int) {
            // Braille bit of each dot within a cell: left column 1, 2, 4, 64; right column 8, 16, 32, 128.
            let bits: [[UInt8]] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]]
            cells[row / 4][column / 2] |= bits[column % 2][row % 4]
        }
        var previous: (Int, Int)?
        var previousTime: Date?
        for point in sorted {
            guard let value = point.value, value.isFinite else {
                previous = nil
                continue
            }
            if let previousTime, let gap, point.time.timeIntervalSince(previousTime) > gap { previous = nil }
            let here = (x(point.time), y(value))
            if let previous { Self.line(from: previous, to: here, dot) } else { dot(here.0, here.1) }
            previous = here
            previousTime = point.time
        }

        var out = summary
        for (index, row) in cells.enumerated() {
            let label = labels[index] ?? ""
            var line = String(repeating: " ", count: labelWidth - label.count) + label + " " + (label.isEmpty ? "│" : "┤")
            line.unicodeScalars.append(contentsOf: row.map { $0 == 0 ? " " : Unicode.Scalar(0x2800 + UInt32($0))! })
            while line.hasSuffix(" ") { line.removeLast() }
            out += line + "\n"
        }
        out += String(repeating: " ", count: labelWidth + 1) + "└" + String(repeating: "─", count: columns) + "\n"
        out += timeAxis(first: first, last: last, indent: labelWidth + 2, columns: columns)
        return out
    }

    /// The first time under the first column, the last one ending under the last column, and the middle
    /// one centred when there is room.
    private func timeAxis(first: Date, last: Date, indent: Int, columns: Int) -> String {
        let span = last.timeIntervalSince(first)
        let style: TimeLabelStyle = span >= 86_400 ? .dayAndMinute : .seconds
        var line = [Character](repeating: " ", count: indent + columns)
        func place(_ text: String, at start: Int) {
            for (offset, character) in text.enumerated() where start + offset < line.count { line[start + offset] = character }
        }
        let left = label(first, style)
        place(left, at: indent)
        if span > 0 {
            let right = label(last, style)
            let rightStart = max(indent + left.count + 2, indent + columns - right.count)
            let middle = label(first.addingTimeInterval(span / 2), style)
            let middleStart = indent + (columns - middle.count) / 2
            if middleStart >= indent + left.count + 2 && middleStart + middle.count + 2 <= rightStart {
                place(middle, at: middleStart)
            }
            place(right, at: rightStart)
        }
        var text = String(line)
        while text.hasSuffix(" ") { text.removeLast() }
        return text + "\n"
    }

    private enum TimeLabelStyle { case seconds, dayAndMinute }

    private func label(_ date: Date, _ style: TimeLabelStyle) -> String {
        let instant = time_t(date.timeIntervalSince1970.rounded(.down))
        var seconds = instant + time_t(timeZone.secondsFromGMT(at: instant))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        switch style {
        case .seconds: return "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
        case .dayAndMinute: return "\(two(parts.tm_mon + 1))-\(two(parts.tm_mday)) \(two(parts.tm_hour)):\(two(parts.tm_min))"
        }
    }

    /// The longest stretch between two points still drawn as one line: twice the median spacing of the points
    /// and at least two steps, so that a device sampling less often than the step does not look broken.
    static func gapThreshold(_ times: [Date], step: Double?) -> Double? {
        guard let step, step > 0 else { return nil }
        let spacings = zip(times, times.dropFirst()).map { $1.timeIntervalSince($0) }.filter { $0 > 0 }.sorted()
        let median = spacings.isEmpty ? step : spacings[spacings.count / 2]
        return 2 * max(step, median)
    }

    /// Bresenham's line, both ends included.
    private static func line(from start: (Int, Int), to end: (Int, Int), _ dot: (Int, Int) -> Void) {
        var (x, y) = start
        let dx = abs(end.0 - x), dy = -abs(end.1 - y)
        let sx = x < end.0 ? 1 : -1, sy = y < end.1 ? 1 : -1
        var error = dx + dy
        while true {
            dot(x, y)
            if x == end.0 && y == end.1 { return }
            let doubled = 2 * error
            if doubled >= dy { error += dy; x += sx }
            if doubled <= dx { error += dx; y += sy }
        }
    }

    /// `42`, `3.14`, `0.005`, `40,800`, `263,527`, `1.23e+15`: short labels for axis and summary, large ones
    /// with thousands grouped (to three significant digits when they have a fraction).
    public static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e12 { return NumberColumn.grouped(value, decimals: 0) }
        if abs(value) >= 1e4 && abs(value) < 1e12 {
            let scale = pow(10, floor(log10(abs(value))) - 2)
            return NumberColumn.grouped((value / scale).rounded() * scale, decimals: 0)
        }
        if abs(value) >= 1e4 || abs(value) < 0.01 { return value.formatted(significant: 3) }
        var text = value.formatted(decimals: 2)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
