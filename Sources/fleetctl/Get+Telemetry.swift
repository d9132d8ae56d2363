import ArgumentParser
import FleetClient
import FleetCore
import Foundation

extension Fleetctl.Get {
    struct GetTelemetry: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "telemetry",
            abstract: "Show a metric of one device, one series per label set, as points or as charts.",
            discussion: """
                Points are bucketed by --step (aligned to the Unix epoch) and combined by --agg: avg, min, max, \
                sum, last, or rate (per-second increase of a counter, resets allowed). Without --agg a counter \
                is shown as a rate, an event stream as a sum per step and any other metric as an average; the \
                table's header and the chart's title say which. Without a range the last hour is shown; \
                without --step the server picks one that gives about 300 points. `fleetctl get metrics DEVICE` \
                lists the metrics a device reports.

                Times are RFC 3339 (2026-11-29T07:00:00Z), now, or a duration ago (30m, now-2h). --plot \
                draws each series as a braille line chart as wide as the terminal ($COLUMNS, else 80), over \
                the whole range asked for, with gaps where the device reported nothing.

                Examples:
                  fleetctl get telemetry 5f0c… syscalls_total --since 10m --step 30s --plot
                  fleetctl get telemetry 5f0c… executor_cpu_ratio --from 2026-11-29T07:00:00Z --to 2026-11-29T08:00:00Z
                  fleetctl get telemetry 5f0c… inference_latency_ms -l 'model=anomaly' --agg max
                  fleetctl -o json get telemetry 5f0c… executor_rss_bytes --since 1h | jq '.series[0].points[-1]'
                """
        )

        @OptionGroup var globals: GlobalOptions

        @Argument(help: ArgumentHelp("A device's name or ID.", valueName: "device"), transform: ArgumentTransforms.device)
        var device: DeviceReference

        @Argument(help: ArgumentHelp("The metric's name, e.g. syscalls_total.", valueName: "metric"))
        var metric: String

        @Option(help: ArgumentHelp("Show this much before --to (or now), e.g. 10m, 6h, 7d.", valueName: "duration"),
                transform: ArgumentTransforms.duration)
        var since: Duration?

        @Option(help: ArgumentHelp("Start of the range.", valueName: "time"))
        var from: String?

        @Option(help: ArgumentHelp("End of the range (default: now).", valueName: "time"))
        var to: String?

        @Option(help: ArgumentHelp("Bucket width, whole seconds from 10s to 24h, e.g. 30s or 5m.", valueName: "duration"),
                transform: ArgumentTransforms.seconds)
        var step: Int?

        @Option(help: ArgumentHelp("How points combine within a step: avg, min, max, sum, last or rate (default: rate for counters, sum for events, else avg).", valueName: "agg"),
                transform: ArgumentTransforms.aggregation)
        var agg: MetricAggregation?

        @Option(name: [.customShort("l"), .customLong("labels")],
                help: ArgumentHelp("Only series whose labels match, e.g. 'syscall in (read,write),cpu!=0'.", valueName: "selector"),
                transform: ArgumentTransforms.selector)
        var labels: LabelSelector?

        @Flag(help: "Draw each series as a chart instead of listing its points.")
        var plot = false

        @Option(help: ArgumentHelp("Rows of each chart with --plot.", valueName: "rows"))
        var height: Int = 10

        func validate() throws {
            if since != nil && from != nil { throw ValidationError("--since and --from both set the start; use one") }
            if let step, !(10...86_400).contains(step) { throw ValidationError("--step must be between 10s and 24h") }
            if plot && globals.output != .table { throw ValidationError("--plot draws charts for people; leave out -o \(globals.output.rawValue)") }
            if !(2...100).contains(height) { throw ValidationError("--height must be between 2 and 100") }
            _ = try range(now: Date())
        }

        /// The range to ask for; nil ends leave the server's defaults.
        func range(now: Date) throws -> (from: Date?, to: Date?) {
            func parse(_ text: String?, _ option: String) throws -> Date? {
                guard let text else { return nil }
                do { return try TimeText.parse(text, now: now) } catch let error as TimeText.ParseError {
                    throw ValidationError("\(option): \(error.description)")
                }
            }
            var end = try parse(to, "--to")
            var start = try parse(from, "--from")
            if let since {
                end = end ?? now
                let (seconds, attoseconds) = since.components
                start = end!.addingTimeInterval(-(Double(seconds) + Double(attoseconds) / 1e18))
            }
            if let start, let end, start >= end { throw ValidationError("the range is empty: the start must be before the end") }
            return (start, end)
        }

        func run() throws {
            let (start, end) = try range(now: Date())
            let client = try globals.client()
            let query = MetricQuery(device: try device.resolve(using: client), metric: metric, from: start, to: end, stepSeconds: step,
                                    aggregation: agg, labels: labels)
            let result = try client.telemetry(query)
            guard plot else {
                globals.printer.show(result) { _ in
                    if result.series.isEmpty { Console.note("No points of \(metric) on device \(device) in this range.") }
                    return Table.renderSeries(result)
                }
                return
            }
            if result.series.isEmpty { Console.note("No points of \(metric) on device \(device) in this range.") }
            let chart = TerminalPlot(width: Terminal.columns, height: height)
            let note = Table.aggregationNote(result)
            print(result.series.map {
                chart.render(title: "\($0.title)  (\(note))", points: $0.points, range: result.from...result.to,
                             step: Double(result.stepSeconds))
            }.joined(separator: "\n"), terminator: "")
        }
    }
}
