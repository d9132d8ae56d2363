import Foundation
import Testing
@testable import FleetClient

@Suite struct TerminalPlotTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)  // 2027-01-15T08:00:00Z
    static let utc = TerminalPlot.LabelTimeZone.utc

    static func points(_ values: [Double?], every seconds: TimeInterval = 60) -> [MetricPoint] {
        values.enumerated().map { MetricPoint(time: start.addingTimeInterval(Double($0) * seconds), value: $1) }
    }

    @Test func singlePointSitsInTheMiddleOfARangeAroundIt() {
        let chart = TerminalPlot(width: 13, height: 2, timeZone: Self.utc)
        #expect(chart.render(title: "cpu", points: Self.points([5])) == """
            cpu  min 5  max 5  last 5
            5.5 ┤
            4.5 ┤⠁
                └────────
                 08:00:00

            """)
    }

    @Test func risingSeriesGoesFromBottomLeftToTopRightWithTimeLabels() {
        let chart = TerminalPlot(width: 40, height: 5, timeZone: Self.utc)
        let text = chart.render(title: "m", points: Self.points([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))
        #expect(text == """
            m  min 0  max 10  last 10
            10 ┤                             ⢀⣀⡠⠤⠒⠒⠉
               │                      ⢀⣀⡠⠤⠒⠒⠉⠁
             5 ┤             ⢀⣀⣀⠤⠤⠤⠒⠒⠉⠁
               │      ⢀⣀⠤⠤⠒⠊⠉⠁
             0 ┤⣀⠤⠤⠒⠊⠉⠁
               └────────────────────────────────────
                08:00:00      08:05:00      08:10:00

            """)
        let lines = text.split(separator: "\n")
        #expect(lines.allSatisfy { $0.count <= 40 })
    }

    @Test func nullValueBreaksTheLine() {
        let chart = TerminalPlot(width: 20, height: 2, timeZone: Self.utc)
        let joined = chart.render(title: "m", points: Self.points([0, 4, 4, 0]))
        let broken = chart.render(title: "m", points: Self.points([0, 4, nil, 4, 0]))
        #expect(joined != broken)
        // With the gap, fewer dots are drawn between the two 4s.
        func dots(_ text: String) -> Int {
            text.unicodeScalars.filter { (0x2801...0x28FF).contains($0.value) }.map { $0.value - 0x2800 }.reduce(0) { $0 + $1.nonzeroBitCount }
        }
        #expect(dots(broken) < dots(joined) + 8)
        #expect(broken.contains("min 0  max 4  last 0"))
    }

    @Test func aStretchWithoutPointsIsAGapNotAStraightLine() {
        let chart = TerminalPlot(width: 40, height: 4, timeZone: Self.utc)
        // Points every 10 s, then nothing for five minutes, then points again.
        let before = (0..<6).map { MetricPoint(time: Self.start.addingTimeInterval(Double($0) * 10), value: 1) }
        let after = (0..<6).map { MetricPoint(time: Self.start.addingTimeInterval(360 + Double($0) * 10), value: 1) }
        let text = chart.render(title: "m", points: before + after, step: 10)
        let flatRow = text.split(separator: "\n")[2]
        #expect(flatRow.contains("  "), "the five minutes without points stay empty: \(flatRow)")
        let joined = chart.render(title: "m", points: before + after)
        #expect(!joined.split(separator: "\n")[2].dropFirst(6).contains("  "), "without a step nothing is taken for a gap")
        // A device that samples every 15 s under a 10 s step is not broken up.
        let sparse = (0..<20).map { MetricPoint(time: Self.start.addingTimeInterval(Double($0) * 15), value: 1) }
        #expect(TerminalPlot.gapThreshold(sparse.map(\.time), step: 10) == 30)
        #expect(chart.render(title: "m", points: sparse, step: 10) == chart.render(title: "m", points: sparse))
    }

    @Test func theAxisSpansTheRangeAskedForNotOnlyThePoints() {
        let chart = TerminalPlot(width: 40, height: 2, timeZone: Self.utc)
        let points = [MetricPoint(time: Self.start.addingTimeInterval(280), value: 1), MetricPoint(time: Self.start.addingTimeInterval(300), value: 2)]
        let text = chart.render(title: "m", points: points, range: Self.start...Self.start.addingTimeInterval(300), step: 10)
        #expect(text.hasSuffix("08:00:00      08:02:30       08:05:00\n"), "\(text)")
        let plotRows = text.split(separator: "\n").dropFirst().prefix(2)
        #expect(plotRows.allSatisfy { row in
            // The 20 s with points sit at the right end of a five-minute axis.
            let cells = row.drop { $0 != "┤" && $0 != "│" }.dropFirst()
            return cells.prefix(30).allSatisfy { $0 == " " }
        })
    }

    @Test func dayLongRangesLabelDateAndMinute() {
        let chart = TerminalPlot(width: 50, height: 2, timeZone: Self.utc)
        let text = chart.render(title: "m", points: Self.points([1, 2, 3], every: 86_400))
        #expect(text.hasSuffix("   01-15 08:00       01-16 08:00       01-17 08:00\n"))
    }

    @Test func timeLabelsFollowTheTimeZone() {
        let berlin = TerminalPlot(width: 13, height: 2, timeZone: .fixed(secondsFromGMT: 3600))
        #expect(berlin.render(title: "m", points: Self.points([1])).hasSuffix("09:00:00\n"))
    }

    @Test func noPointsSaysSo() {
        #expect(TerminalPlot().render(title: "m", points: Self.points([nil])) == "m\n  (no points)\n")
    }

    @Test func numbersAreShort() {
        #expect(TerminalPlot.number(42) == "42")
        #expect(TerminalPlot.number(-3) == "-3")
        #expect(TerminalPlot.number(3.14159) == "3.14")
        #expect(TerminalPlot.number(2.5) == "2.5")
        #expect(TerminalPlot.number(0.001234) == "0.00123")
        #expect(TerminalPlot.number(123456.7) == "123,000")
        #expect(TerminalPlot.number(40_812.5) == "40,800")
        #expect(TerminalPlot.number(263_527) == "263,527")
        #expect(TerminalPlot.number(-21_898.4) == "-21,900")
        #expect(TerminalPlot.number(2.5e15) == "2.5e+15")
    }

    @Test func progressBarShowsFractionSizesAndRate() {
        #expect(ProgressBar.render(done: 512 << 10, total: 1 << 20, elapsed: .seconds(2), width: 80)
            == "[" + String(repeating: "=", count: 19) + ">" + String(repeating: " ", count: 18) + "]   50%  512.0 KiB / 1.0 MiB  256.0 KiB/s")
        #expect(ProgressBar.render(done: 1 << 20, total: 1 << 20, elapsed: .seconds(1), width: 60)
            == "[======================]  100%  1.0 MiB / 1.0 MiB  1.0 MiB/s")
        #expect(ProgressBar.render(done: 100, total: 0, elapsed: .zero, width: 80) == "100 B  -")
        #expect(ProgressBar.render(done: 1, total: 10, elapsed: .seconds(1), width: 20) == " 10%  1 B / 10 B  1 B/s")
    }

    @Test func byteCountsUseBinaryUnits() {
        #expect(ByteCount.format(0) == "0 B")
        #expect(ByteCount.format(1023) == "1023 B")
        #expect(ByteCount.format(9128) == "8.9 KiB")
        #expect(ByteCount.format(200 << 20) == "200.0 MiB")
        #expect(ByteCount.format(3 << 30) == "3.0 GiB")
    }
}
