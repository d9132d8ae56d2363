import ArgumentParser
import FleetClient
import FleetJSON
import FleetYAML

extension Fleetctl.Get {
    struct GetPolicy: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "policy",
            abstract: "Show one policy and its document, at its current or an earlier revision, or list its revisions.",
            discussion: """
                'fleetctl describe policy' adds how far its devices have come.

                Examples:
                  fleetctl get policy north
                  fleetctl get policy north --revision 2
                  fleetctl get policy north --revisions
                  fleetctl -o json get policy north | jq .document
                """
        )

        @OptionGroup var globals: GlobalOptions

        @Argument(help: ArgumentHelp("The policy's name.", valueName: "name"), transform: ArgumentTransforms.policyName)
        var name: String

        @Option(help: ArgumentHelp("Show this revision instead of the current one.", valueName: "n"), transform: ArgumentTransforms.revision)
        var revision: Int?

        @Flag(help: "List every revision, newest first.")
        var revisions = false

        func validate() throws {
            if revisions && revision != nil { throw ValidationError("give --revision N or --revisions, not both") }
        }

        func run() throws {
            let client = try globals.client()
            if revisions {
                let all = try ListPage.collect { try client.policyRevisions(named: name, cursor: $0) }
                globals.printer.showList(ListPage(items: all, nextCursor: nil), noun: "revisions", table: Table.policyRevisions)
                return
            }
            let policy = try client.policy(named: name, revision: revision)
            globals.printer.show(policy) { now in
                var view = DetailView.policy(policy, status: nil, now: now)
                view.fields.append(("DOCUMENT", YAMLRenderer.render(policy.document).trimmingSuffix("\n")))
                return view.render()
            }
        }
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
