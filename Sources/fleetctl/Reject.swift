import ArgumentParser

extension Fleetctl {
    struct Reject: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reject enrolments.",
            discussion: """
                Example:
                  fleetctl reject device 5f0c…
                """,
            subcommands: [RejectDevice.self]
        )
    }
}
