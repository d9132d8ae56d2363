import ArgumentParser

extension Fleetctl {
    struct Describe: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a policy or a device in detail, with the state of what it should run.",
            discussion: """
                Examples:
                  fleetctl describe policy north
                  fleetctl describe device gw-7
                  fleetctl -o json describe device 5f0c…
                """,
            subcommands: [DescribePolicy.self, DescribeDevice.self]
        )
    }
}
