import Foundation
import Testing

/// `fleetctl`'s habits before it talks to a server: `--version` on all three binaries, completion scripts,
/// usage errors as one `error: ...` line with status 64, and the nearest verb or noun for a typo.
@Suite struct FleetctlCommandLineTests {
    static var fleetctl: String { BuiltProducts.directory.appendingPathComponent("fleetctl").path }

    private func fleetctl(_ arguments: String...) throws -> (status: Int32, output: String, errors: String) {
        try ProgramFixtures.run(Self.fleetctl, arguments)
    }

    /// The commit is the one the binaries were built from: a commit of this repository (HEAD when built after
    /// the last commit), with `-dirty` when tracked files had changes.
    @Test func everyBinaryNamesItsVersionAndCommit() throws {
        let repository = BuiltProducts.packageRoot.path
        let isCheckout = try ProgramFixtures.run("/usr/bin/git", ["-C", repository, "rev-parse", "HEAD"]).status == 0
        var commits = Set<String>()
        for binary in [Self.fleetctl, BuiltProducts.fleetServer.path, BuiltProducts.fleetExecutor.path] {
            let version = try ProgramFixtures.run(binary, ["--version"])
            #expect(version.status == 0, "\(binary): \(version.errors)")
            let pattern = try NSRegularExpression(pattern: #"^0\.1\.0 \(commit ([0-9a-f]{12}|unknown)(-dirty)?\)\n$"#)
            let match = pattern.firstMatch(in: version.output, range: NSRange(version.output.startIndex..., in: version.output))
            let commit = try #require(match.flatMap { Range($0.range(at: 1), in: version.output) }.map { String(version.output[$0]) },
                                      "\(binary): \(version.output)")
            commits.insert(commit)
            if isCheckout {
                #expect(try ProgramFixtures.run("/usr/bin/git", ["-C", repository, "cat-file", "-e", "\(commit)^{commit}"]).status == 0,
                        "\(binary) names \(commit), a commit of this repository")
            }
        }
        #expect(commits.count == 1, "the three binaries of one build name one commit: \(commits)")
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
