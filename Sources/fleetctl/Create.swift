import ArgumentParser

extension Fleetctl {
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create enrolment tokens and API tokens.",
            discussion: """
                The secret of a new token is printed once and never again; store it when it is shown.

                Examples:
                  fleetctl create enrollment-token --name lab --label site=lab --max-uses 10 --expires-in 24h
                  fleetctl create token --role viewer --name grafana --expires-in 90d
                """,
            subcommands: [CreateEnrollmentToken.self, CreateToken.self]
        )
    }
}
