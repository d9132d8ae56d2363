import ArgumentParser
import FleetClient
import FleetCore

extension Fleetctl.Get {
    struct GetDevices: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "devices",
            abstract: "List devices, filtered by labels, status and presence.",
            discussion: """
                Selectors use the Kubernetes syntax: k=v, k!=v, 'k in (a,b)', 'k notin (a,b)', k, !k; \
                a comma means AND.

                Examples:
                  fleetctl get devices
                  fleetctl get devices -l 'env=prod,site in (ber,muc)' --online false
                  fleetctl get devices --status pending --all
                  fleetctl -o json get devices --limit 500 --all | jq -r '.items[].id'
                """
        )

        @OptionGroup var globals: GlobalOptions
        @OptionGroup var page: PageOptions

        @Option(name: [.customShort("l"), .long], help: ArgumentHelp("Label selector, e.g. 'env=prod,!canary'.", valueName: "selector"),
                transform: ArgumentTransforms.selector)
        var selector: LabelSelector?

        @Option(help: ArgumentHelp("Only devices in this status: active, pending, rejected or decommissioned.", valueName: "status"),
                transform: ArgumentTransforms.deviceStatus)
        var status: DeviceStatus?

        @Option(help: ArgumentHelp("Only devices that are (true) or are not (false) online.", valueName: "true|false"),
                transform: ArgumentTransforms.onOff)
        var online: Bool?

        func run() throws {
            let client = try globals.client()
            let query = DeviceQuery(selector: selector, status: status, online: online, limit: page.limit)
            let result = page.all
                ? ListPage(items: try client.allDevices(query, from: page.cursor), nextCursor: nil)
                : try client.devices(query, cursor: page.cursor)
            globals.printer.showList(result, noun: "devices", table: Table.devices)
        }
    }
}
