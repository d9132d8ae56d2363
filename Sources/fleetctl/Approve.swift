import ArgumentParser

extension Fleetctl {
    struct Approve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Approve enrolments.",
            discussion: """
                Example:
                  fleetctl get devices --status pending
                  fleetctl approve device 5f0c…
                """,
            subcommands: [ApproveDevice.self]
        )
    }
}
