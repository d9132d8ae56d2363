import FoundationEssentials
import Glibc
import FleetCore

extension Table {
    /// One series' points: TIME (RFC 3339, UTC) and VALUE.
    public static func metricPoints(_ series: MetricSeries) -> Table {
        Table(headers: ["TIME", "VALUE"], rows: series.points.map { point in
            [shortTimestamp(point.time), point.value.map(TerminalPlot.number) ?? "null"]
        })
    }

    /// Every series as its title line over its points, separated by blank lines.
    public static func renderSeries(_ series: [MetricSeries]) -> String {
        series.map { "\($0.title)\n" + metricPoints($0).render() }.joined(separator: "\n")
    }

    /// `2026-11-29T07:00:00Z`, with the fraction only when it is not zero.
    static func shortTimestamp(_ date: Date) -> String {
        let text = Timestamp.format(date)
        return text.hasSuffix(".000000Z") ? String(text.dropLast(8)) + "Z" : text
    }
}
