import ArgumentParser
import FleetClient

extension Fleetctl.Get {
    struct GetEnrollmentTokens: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "enrollment-tokens",
            abstract: "List enrolment tokens (secrets are never shown again; only their prefix).",
            discussion: """
                Needs an operator or admin token.

                Examples:
                  fleetctl get enrollment-tokens
                  fleetctl -o json get enrollment-tokens --all
                """
        )

        @OptionGroup var globals: GlobalOptions
        @OptionGroup var page: PageOptions

        func run() throws {
            let client = try globals.client()
            let result = page.all
                ? ListPage(items: try client.allEnrollmentTokens(limit: page.limit, from: page.cursor), nextCursor: nil)
                : try client.enrollmentTokens(limit: page.limit, cursor: page.cursor)
            globals.printer.showList(result, noun: "enrollment tokens", table: Table.enrollmentTokens)
        }
    }
}
