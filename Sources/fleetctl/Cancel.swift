import ArgumentParser

extension Fleetctl {
    struct Cancel: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cancel commands.",
            discussion: """
                Example:
                  fleetctl cancel command 9a1e…
                """,
            subcommands: [CancelCommand.self]
        )
    }
}
