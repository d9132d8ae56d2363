import ArgumentParser

extension Fleetctl {
    struct Get: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show devices, commands, programs, models, policies, telemetry, enrolment tokens and API tokens.",
            discussion: """
                Lists print a table (or, with -o json, the API's page: {"items": [...], "next_cursor": ...}); \
                --all follows next_cursor to the last page.

                Examples:
                  fleetctl get devices --status pending
                  fleetctl get device 5f0c…
                  fleetctl get commands 5f0c… --state failed
                  fleetctl -o yaml get command 9a1e…
                  fleetctl get programs --name syscall-count
                  fleetctl get model anomaly@1.0.0
                  fleetctl get policies
                  fleetctl -o yaml get policy north
                  fleetctl get holds north
                  fleetctl get metrics 5f0c…
                  fleetctl get telemetry 5f0c… syscalls_total --since 30m --plot
                """,
            subcommands: [GetDevices.self, GetDevice.self, GetCommands.self, GetCommand.self, GetPrograms.self, GetProgram.self, GetModels.self, GetModel.self,
                          GetTelemetry.self, GetMetrics.self, GetPolicies.self, GetPolicy.self, GetHolds.self, GetEnrollmentTokens.self, GetTokens.self]
        )
    }
}
