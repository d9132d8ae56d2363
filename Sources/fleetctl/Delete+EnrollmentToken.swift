import ArgumentParser
import FleetClient
import FleetCore
import FleetJSON

extension Fleetctl.Delete {
    struct DeleteEnrollmentToken: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "enrollment-token",
            abstract: "Revoke an enrolment token; devices already enrolled with it are not affected.",
            discussion: """
                Example:
                  fleetctl get enrollment-tokens
                  fleetctl delete enrollment-token 2c8e…
                """
        )

        @OptionGroup var globals: GlobalOptions

        @Argument(help: ArgumentHelp("The enrolment token's ID (not its secret).", valueName: "enrollment-token-id"),
                  transform: ArgumentTransforms.enrollmentTokenID)
        var token: EnrollmentTokenID

        func run() throws {
            try globals.client().revokeEnrollmentToken(token)
            globals.printer.confirm("enrollment token \(token) revoked", value: ["id": token.json, "revoked": true] as JSON)
        }
    }
}
