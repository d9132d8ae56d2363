import ArgumentParser

extension Fleetctl {
    struct Get: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show devices, commands, enrolment tokens and API tokens.",
            discussion: """
                Lists print a table (or, with -o json, the API's page: {"items": [...], "next_cursor": ...}); \
                --all follows next_cursor to the last page.

                Examples:
                  fleetctl get devices --status pending
                  fleetctl get device 5f0c…
                  fleetctl get commands 5f0c… --state failed
                  fleetctl -o yaml get command 9a1e…
                """,
            subcommands: [GetDevices.self, GetDevice.self, GetCommands.self, GetCommand.self, GetEnrollmentTokens.self, GetTokens.self]
        )
    }
}
