import ArgumentParser
import FleetClient
import FleetJSON

extension Fleetctl {
    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create or update policies from YAML or JSON files.",
            discussion: """
                Each document names one policy, in either of two shapes:

                  kind: Policy               # the full form
                  name: north
                  spec:
                    selector: site=north
                    priority: 10
                    programs:
                    - name: syscalls
                      program: syscall_count@1.2.0
                    models:
                    - name: anomaly
                      model: anomaly@1.0.0
                      run:
                        every_seconds: 10
                        features_from: {program: syscalls, map: syscall_counts}
                    telemetry: {interval_seconds: 15}
                  ---
                  name: south                # the bare form: a policy
                  selector: site=south       # with its name beside it

                Separate YAML documents with ---; a JSON file holds one document or an array of them. Files ending \
                .json are read as JSON, .yaml and .yml as YAML, others (and stdin) as JSON when they start with { or \
                [. YAML follows the 1.2 core schema: true and false are booleans, null and ~ are null, 12 and 1.5 are \
                numbers, and everything else, yes, on and 1.0.0 among them, is a string. Keys must be strings; \
                anchors and aliases work, merge keys (<<) do not.

                One line per document: 'policy/north created (revision 1, 120 devices)', 'configured (revision 3, \
                12 devices)' or 'unchanged'; the devices are those whose desired state changed. A document that \
                cannot be read or that the server refuses gets one 'error: ...' line; the others are still applied, \
                and the exit status is 1. --dry-run asks the server what would happen and stores nothing; \
                'fleetctl diff' shows the changes themselves.

                Examples:
                  fleetctl apply -f north.yaml
                  fleetctl apply -f policies/
                  cat north.json | fleetctl apply -f -
                  fleetctl apply -f north.yaml --dry-run
                  fleetctl -o json apply -f north.yaml | jq '.items[0].revision'
                """
        )

        @OptionGroup var globals: GlobalOptions
        @OptionGroup var files: PolicyFileOptions

        @Flag(help: "Ask the server what would change; store nothing.")
        var dryRun = false

        func run() throws {
            let client = try globals.client()
            var answers: [JSON] = []
            var refused = false
            let unreadable = try files.forEachPolicy { origin, manifest in
                do {
                    if dryRun {
                        let preview = try client.previewPolicy(named: manifest.name, document: manifest.document)
                        answers.append(preview.json)
                        say(Self.line(for: preview))
                    } else {
                        let outcome = try client.applyPolicy(named: manifest.name, document: manifest.document)
                        answers.append(outcome.policy.json)
                        say(Self.line(for: outcome))
                    }
                } catch let error as FleetClientError {
                    Console.error("policy/\(manifest.name) (\(origin)): \(error)")
                    refused = true
                }
            }
            if globals.output != .table {
                globals.printer.show(["items": .array(answers)] as JSON) { _ in "" }
            }
            if unreadable || refused { throw ExitCode.failure }
        }

        private func say(_ line: String) {
            if globals.output == .table { print(line) }
        }

        /// `policy/north created (revision 1, 120 devices)`, `policy/north configured (revision 3, 1 device)`,
        /// `policy/north unchanged`.
        static func line(for outcome: PolicyApplyOutcome) -> String {
            let policy = outcome.policy
            switch outcome.action {
            case .unchanged:
                return "policy/\(policy.name) unchanged"
            case .created, .configured:
                let devices = policy.devicesAffected.map { ", \(devicesText($0))" } ?? ""
                return "policy/\(policy.name) \(outcome.action.rawValue) (revision \(policy.revision)\(devices))"
            }
        }

        static func line(for preview: PolicyDryRun) -> String {
            guard preview.changed else { return "policy/\(preview.name) unchanged (dry run)" }
            let action = preview.current == nil ? "created" : "configured"
            return "policy/\(preview.name) \(action) (dry run: revision \(preview.revision), \(devicesText(preview.devicesAffected)))"
        }

        static func devicesText(_ count: Int) -> String {
            count == 1 ? "1 device" : "\(count) devices"
        }
    }
}
