import Foundation
import Testing

/// `fleetctl`'s habits before it talks to a server: `--version` on all three binaries, completion scripts,
/// usage errors as one `error: ...` line with status 64, and the nearest verb or noun for a typo.
@Suite struct FleetctlCommandLineTests {
    static var fleetctl: String { BuiltProducts.directory.appendingPathComponent("fleetctl").path }

    private func fleetctl(_ arguments: String...) throws -> (status: Int32, output: String, errors: String) {
        try ProgramFixtures.run(Self.fleetctl, arguments)
    }

    @Test func everyBinaryNamesItsVersionAndCommit() throws {
        let head = try ProgramFixtures.run("/usr/bin/git", ["-C", BuiltProducts.packageRoot.path, "rev-parse", "--short=12", "HEAD"])
        for binary in [Self.fleetctl, BuiltProducts.fleetServer.path, BuiltProducts.fleetExecutor.path] {
            let version = try ProgramFixtures.run(binary, ["--version"])
            #expect(version.status == 0, "\(binary): \(version.errors)")
            #expect(version.output.hasPrefix("0.1.0 (commit "), "\(binary): \(version.output)")
            if head.status == 0 {
                #expect(version.output.contains(head.output.trimmingCharacters(in: .whitespacesAndNewlines)), "\(binary): \(version.output)")
            }
        }
    }

    @Test func completionScriptsForEachShell() throws {
        for (shell, marker) in [("bash", "-F _fleetctl fleetctl"), ("zsh", "#compdef fleetctl"), ("fish", "complete -c 'fleetctl'")] {
            let script = try fleetctl("completion", shell)
            #expect(script.status == 0)
            #expect(script.output.contains(marker), "\(shell)")
            #expect(script.output.contains("devices"), "\(shell) completes nouns")
        }
        let unknown = try fleetctl("completion", "tcsh")
        #expect(unknown.status == 64)
        #expect(unknown.errors == "error: unknown shell 'tcsh': use bash, zsh or fish (see 'fleetctl completion --help')\n")
    }

    @Test func aMistypedCommandSuggestsTheNearest() throws {
        let verb = try fleetctl("gett", "devices")
        #expect(verb.status == 64)
        #expect(verb.errors == "error: unknown command 'gett' for 'fleetctl': did you mean 'fleetctl get'?\n")
        let noun = try fleetctl("-o", "json", "get", "devcies")
        #expect(noun.errors == "error: unknown command 'devcies' for 'fleetctl get': did you mean 'fleetctl get devices'?\n")
        let nothingNear = try fleetctl("reboot")
        #expect(nothingNear.status == 64)
        #expect(nothingNear.errors.hasPrefix("error: unknown command 'reboot' for 'fleetctl': fleetctl has get, label,"))
    }

    @Test func usageErrorsAreOneLineAndExit64() throws {
        for arguments in [["get", "device"], ["get", "devices", "--limit", "0"], ["send", "command"], ["--bogus"],
                          ["get", "telemetry", "gw-7", "m", "--step", "5s"]] {
            let result = try ProgramFixtures.run(Self.fleetctl, arguments)
            #expect(result.status == 64, "\(arguments)")
            #expect(result.errors.hasPrefix("error: "), "\(arguments): \(result.errors)")
            #expect(result.errors.filter { $0 == "\n" }.count == 1, "\(arguments): one line, not \(result.errors)")
            #expect(result.output.isEmpty)
        }
        #expect(try fleetctl("get", "device").errors == "error: missing expected argument '<device>' (see 'fleetctl get device --help')\n")
        let help = try fleetctl("get", "--help")
        #expect(help.status == 0)
        #expect(help.output.contains("metrics"))
    }
}
