import ArgumentParser
import FleetClient
import FleetCore

extension Fleetctl.Create {
    struct CreateEnrollmentToken: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "enrollment-token",
            abstract: "Create a token that devices present to enrol; prints its secret once.",
            discussion: """
                Devices enrolled with it start with its labels, and are active at once with --auto-approve \
                (otherwise pending until `fleetctl approve device`).

                Examples:
                  fleetctl create enrollment-token --name lab --label site=lab --label env=dev --auto-approve
                  fleetctl create enrollment-token --max-uses 1 --expires-in 30m
                  fleetctl -o json create enrollment-token | jq -r .token
                """
        )

        @OptionGroup var globals: GlobalOptions

        @Option(help: "A name for people (default: enrollment).")
        var name: String?

        @Option(name: .customLong("label"), help: ArgumentHelp("A label for enrolled devices, key=value; repeat for more.", valueName: "key=value"))
        var labels: [String] = []

        @Option(help: ArgumentHelp("How many enrolments it allows (default: unlimited).", valueName: "n"))
        var maxUses: Int?

        @Option(help: ArgumentHelp("Lifetime, e.g. 30m, 24h, 7d or 3600s (default: no expiry).", valueName: "duration"),
                transform: ArgumentTransforms.seconds)
        var expiresIn: Int?

        @Flag(help: "Make enrolled devices active at once instead of pending.")
        var autoApprove = false

        func validate() throws {
            if let maxUses, maxUses < 1 { throw ValidationError("--max-uses must be at least 1") }
            _ = try tokenLabels()
        }

        func tokenLabels() throws -> [String: String] {
            do { return try LabelEdit.parseAssignments(labels) } catch let error as LabelEdit.ParseError { throw ValidationError(error.description) }
        }

        func run() throws {
            let client = try globals.client()
            let issued = try client.createEnrollmentToken(NewEnrollmentToken(
                name: name, labels: try tokenLabels(), maxUses: maxUses, expiresInSeconds: expiresIn, autoApprove: autoApprove))
            globals.printer.show(issued) { _ in
                let token = issued.record
                return """
                    Created enrollment token \(token.id) (name \(token.name), \(token.autoApprove ? "auto-approve" : "devices start pending")).
                    Secret, shown only this once:

                        \(issued.secret.text)

                    Enrol a device with:
                        fleet-executor enroll --server \(client.configuration.server) --token \(issued.secret.text)

                    """
            }
        }
    }
}
