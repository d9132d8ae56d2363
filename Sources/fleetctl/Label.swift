import ArgumentParser

extension Fleetctl {
    struct Label: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set and remove labels.",
            discussion: """
                Examples:
                  fleetctl label device 5f0c… env=prod site=ber
                  fleetctl label device 5f0c… canary-
                """,
            subcommands: [LabelDevice.self]
        )
    }
}
