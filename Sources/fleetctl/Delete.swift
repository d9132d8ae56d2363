import ArgumentParser

extension Fleetctl {
    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decommission devices, delete programs, models and policies, and revoke tokens.",
            discussion: """
                Examples:
                  fleetctl delete device 5f0c…
                  fleetctl delete program 3f2a…
                  fleetctl delete model anomaly@1.0.0
                  fleetctl delete policy north
                  fleetctl delete token 7d3b…
                  fleetctl delete enrollment-token 2c8e…
                """,
            subcommands: [DeleteDevice.self, DeleteProgram.self, DeleteModel.self, DeleteToken.self, DeleteEnrollmentToken.self, DeletePolicy.self]
        )
    }
}
