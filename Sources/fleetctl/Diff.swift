import ArgumentParser
import FleetClient
import FleetCore
import FleetJSON
import FleetYAML

extension Fleetctl {
    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what applying policy files would change, without storing anything.",
            discussion: """
                Reads the files as 'fleetctl apply' does and asks the server for a dry run of each document. For \
                every policy that would change it prints a unified diff of the current document (none for a new \
                policy) against the new one, both as YAML with sorted keys, and the devices whose desired state \
                would change, with up to 10 of their IDs. Unchanged policies print nothing.

                Exit status, as with kubectl diff: 0 when nothing would change, 1 when something would, 2 when a \
                file, a document or a request failed (its 'error: ...' line says which).

                Examples:
                  fleetctl diff -f north.yaml
                  fleetctl diff -f policies/ && echo "nothing to apply"
                  fleetctl -o json diff -f north.yaml | jq '.items[].devices_affected'
                """
        )

        @OptionGroup var globals: GlobalOptions
        @OptionGroup var files: PolicyFileOptions

        func run() throws {
            var failed = false
            var changed = false
            var previews: [JSON] = []
            do {
                let client = try globals.client()
                let unreadable = try files.forEachPolicy { origin, manifest in
                    do {
                        let preview = try client.previewPolicy(named: manifest.name, document: manifest.document)
                        previews.append(preview.json)
                        changed = changed || preview.changed
                        if globals.output == .table && preview.changed { print(Self.render(preview), terminator: "") }
                    } catch let error as FleetClientError {
                        Console.error("policy/\(manifest.name) (\(origin)): \(error)")
                        failed = true
                    }
                }
                failed = failed || unreadable
            } catch let error as FleetClientError {
                // Status 1 means "differences"; a failure must not read as one.
                Console.error(error.description)
                throw ExitCode(2)
            }
            if globals.output != .table {
                globals.printer.show(["items": .array(previews)] as JSON) { _ in "" }
            }
            if failed { throw ExitCode(2) }
            if changed { throw ExitCode.failure }
        }

        /// The header, the diff of the two documents as YAML, and the devices.
        static func render(_ preview: PolicyDryRun) -> String {
            let old = preview.current.map(YAMLRenderer.render) ?? ""
            let new = YAMLRenderer.render(preview.document)
            let currentRevision = preview.current == nil ? "(none)" : "revision \(preview.revision - 1)"
            var out = "diff policy/\(preview.name)\n"
            out += "--- policy/\(preview.name) \(currentRevision)\n"
            out += "+++ policy/\(preview.name) revision \(preview.revision) (dry run)\n"
            out += LineDiff.unified(from: old, to: new)
            out += devices(preview) + "\n"
            return out
        }

        /// `12 devices would change, 10 of them: 5f0c…, …` or `no device would change`.
        static func devices(_ preview: PolicyDryRun) -> String {
            guard preview.devicesAffected > 0 else { return "no device's desired state would change" }
            let count = preview.devicesAffected == 1 ? "1 device's desired state" : "\(preview.devicesAffected) devices' desired states"
            guard !preview.sample.isEmpty else { return "\(count) would change" }
            let ids = preview.sample.map(\.description).joined(separator: ", ")
            let more = preview.devicesAffected > preview.sample.count ? " (and \(preview.devicesAffected - preview.sample.count) more)" : ""
            return "\(count) would change: \(ids)\(more)"
        }
    }
}
