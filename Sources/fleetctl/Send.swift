import ArgumentParser

extension Fleetctl {
    struct Send: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send commands to devices.",
            discussion: """
                Example:
                  fleetctl send command 5f0c… executor.ping --wait
                """,
            subcommands: [SendCommand.self]
        )
    }
}
