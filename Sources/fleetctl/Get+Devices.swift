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

                -o json and -o yaml leave each device's inventory out unless --show-inventory is given; \
                fleetctl get device prints one device's whole inventory.

                Examples:
                  fleetctl get devices
                  fleetctl get devices -l 'env=prod,site in (ber,muc)' --online false
                  fleetctl get devices --status pending --all
                  fleetctl -o json get devices --limit 500 --all | jq -r '.items[].id'
                  fleetctl -o yaml get devices -l site=lab --show-inventory
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

        @Flag(help: "With -o json or -o yaml, include each device's inventory.")
        var showInventory = false

        func validate() throws {
            if showInventory && globals.output == .table {
                throw ValidationError("--show-inventory applies to -o json and -o yaml; the table has no inventory")
            }
        }

        func run() throws {
            let client = try globals.client()
            let query = DeviceQuery(selector: selector, status: status, online: online, limit: page.limit)
            let result = page.all
                ? ListPage(items: try client.allDevices(query, from: page.cursor), nextCursor: nil)
                : try client.devices(query, cursor: page.cursor)
            let listed = ListPage(items: result.items.map { ListedDevice($0, includesInventory: showInventory) }, nextCursor: result.nextCursor)
            globals.printer.showList(listed, noun: "devices") { Table.devices($0.map(\.device), now: $1) }
        }
    }
}
