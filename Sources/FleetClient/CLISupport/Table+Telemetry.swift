import FoundationEssentials
import Glibc
import FleetCore

extension Table {
    /// One series' points: TIME (RFC 3339, UTC) and the aggregate, headed by its name and unit (`RATE (/s)`,
    /// `AVG (MiB)`), every value in the column written the same way (`NumberColumn`).
    public static func metricPoints(_ series: MetricSeries, aggregation: MetricAggregation) -> Table {
        let column = NumberColumn(series.points.map(\.value), unit: NumberColumn.unit(ofMetric: series.metric),
                                  perSecond: aggregation == .rate)
        let header = aggregation.rawValue.uppercased() + (column.unitLabel.map { " (\($0))" } ?? "")
        return Table(headers: ["TIME", header], rows: zip(series.points, column.cells).map { point, cell in
            [shortTimestamp(point.time), String(repeating: " ", count: max(0, header.count - cell.count)) + cell]
        })
    }

    /// Every series as its title line over its points, separated by blank lines.
    public static func renderSeries(_ result: MetricQueryResult) -> String {
        result.series.map { "\($0.title)\n" + metricPoints($0, aggregation: result.aggregation).render() }.joined(separator: "\n")
    }

    /// `rate per 10 s step` and the like: what a chart's values are.
    public static func aggregationNote(_ result: MetricQueryResult) -> String {
        let step = DurationText.format(.seconds(result.stepSeconds))
        return result.aggregation == .rate ? "rate per second, \(step) steps" : "\(result.aggregation.rawValue) per \(step) step"
    }

    /// `2026-11-29T07:00:00Z`, with the fraction only when it is not zero.
    static func shortTimestamp(_ date: Date) -> String {
        let text = Timestamp.format(date)
        return text.hasSuffix(".000000Z") ? String(text.dropLast(8)) + "Z" : text
    }
}

extension Table {
    /// What a device reports: METRIC, KIND, LABELS (the label keys), FIRST and LAST point, relative to now.
    public static func deviceMetrics(_ metrics: [DeviceMetric], now: Date) -> Table {
        Table(headers: ["METRIC", "KIND", "LABELS", "FIRST POINT", "LAST POINT"], rows: metrics.map { metric in
            [metric.metric, metric.kind, metric.labelKeys.isEmpty ? "-" : metric.labelKeys.joined(separator: ","),
             RelativeTime.describe(metric.firstPointAt, now: now), RelativeTime.describe(metric.lastPointAt, now: now)]
        })
    }
}
