import ArgumentParser
import FleetClient
import FleetCore

extension Fleetctl.Get {
    struct GetMetrics: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "metrics",
            abstract: "List the metrics a device reports, with their kind, label keys and latest point.",
            discussion: """
                Counters are shown by `get telemetry` as a rate, events as a sum per step and gauges as an \
                average, unless --agg says otherwise. The names come from the executor (executor_rss_bytes, \
                executor_cpu_ratio, inference_latency_ms, ...) and from the manifests of the programs it runs.

                Examples:
                  fleetctl get metrics 5f0c…
                  fleetctl get metrics gw-7 --prefix executor_
                  fleetctl -o json get metrics 5f0c… --all | jq -r '.items[].metric'
                """
        )

        @OptionGroup var globals: GlobalOptions
        @OptionGroup var page: PageOptions

        @Argument(help: ArgumentHelp("A device's name or ID.", valueName: "device"), transform: ArgumentTransforms.device)
        var device: DeviceReference

        @Option(help: ArgumentHelp("Only metrics whose names start with this.", valueName: "prefix"))
        var prefix: String?

        func run() throws {
            let client = try globals.client()
            let id = try device.resolve(using: client)
            let result = page.all
                ? ListPage(items: try client.allDeviceMetrics(id, prefix: prefix, limit: page.limit, from: page.cursor), nextCursor: nil)
                : try client.deviceMetrics(id, prefix: prefix, limit: page.limit, cursor: page.cursor)
            globals.printer.showList(result, noun: "metrics", table: Table.deviceMetrics)
        }
    }
}
