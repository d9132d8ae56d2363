import ArgumentParser
import FleetClient
import FleetBuildInfo
import Foundation

@main
struct Fleetctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleetctl",
        abstract: "Drive a Fleet control plane: devices, policies, commands, eBPF programs, models, telemetry, enrolment and API tokens.",
        discussion: """
            The server and token come from --server and --token, else from FLEET_SERVER and FLEET_TOKEN, \
            else from ~/.config/fleetctl/config.json ({"server": "...", "token": "..."}); the server \
            defaults to http://127.0.0.1:8080. -o json prints the API's JSON for scripts, -o yaml the \
            same as YAML, and the default table output is for people.

            Examples:
              fleetctl get devices -l 'env=prod,site in (a,b)' --online true
              fleetctl label device 5f0c… env=prod tier-
              fleetctl send command 5f0c… executor.ping --wait
              fleetctl create enrollment-token --label site=lab --auto-approve --expires-in 24h
              fleetctl -o json get commands 5f0c… --state failed
              fleetctl upload program prog.bpf.o --name prog --version 1.0.0 --manifest prog.manifest.json
              fleetctl get telemetry 5f0c… syscalls_total --since 15m --agg rate --plot
              fleetctl infer 5f0c… anomaly --input x=@features.json
            """,
        version: FleetBuild.versionLine,
        subcommands: [Get.self, Label.self, Approve.self, Reject.self, Create.self, Delete.self, Send.self, Infer.self, Cancel.self,
                      Apply.self, Diff.self, Describe.self, Hold.self, Release.self,
                      Upload.self, Download.self, API.self, Completion.self]
    )

    /// Accepted before the verb too (`fleetctl -o json get devices`); subcommands see the same values.
    @OptionGroup var globals: GlobalOptions

    /// Runs the command; API and connection failures end with one `error: …` line and exit code 1, usage
    /// errors with one such line and exit code 64; `--help` and `--version` print and exit 0.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        var command: any ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            let code = exitCode(for: error)
            guard code != .success else { exit(withError: error) }
            Console.error(UsageError.message(for: error, arguments: arguments))
            Foundation.exit(code.rawValue)
        }
        do {
            try command.run()
        } catch let error as FleetClientError {
            Console.error(error.description)
            Foundation.exit(ExitCode.failure.rawValue)
        } catch {
            let code = exitCode(for: error)
            let text = message(for: error)
            if code != .success && !text.isEmpty {
                Console.error(code == .validationFailure ? UsageError.message(for: error, arguments: arguments) : text)
                Foundation.exit(code.rawValue)
            }
            exit(withError: error)
        }
    }
}
