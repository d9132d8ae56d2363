import Glibc
import Synchronization
import FleetExecutor

/// `fleet-executor`: flags and wiring only. The parser is the small one in `CommandLine+Parsing.swift`:
/// swift-argument-parser brings Foundation's JSON coders, several megabytes, into the static executor.
@main
enum FleetExecutorCommand {
    static let tool = "fleet-executor"
    static let abstract = "The Fleet executor: runs on a device, takes commands from the server and reports back."

    /// `run` exits with this status when the server refuses the credential; restarting will not help.
    static let credentialRefusedStatus: Int32 = 3
    /// A command line the executor cannot run (EX_USAGE).
    static let usageStatus: Int32 = 64

    static var subcommands: [(spec: CommandSpec, run: (ParsedCommand) throws -> Int32)] {
        [(Enroll.spec, Enroll.run), (Run.spec, Run.run), (Infer.spec, Infer.run)]
    }

    static let stateOption = CommandSpec.Option(name: "state-dir", valueName: "path",
                                                help: "Where the identity, command journal and telemetry outbox live.",
                                                defaultValue: "/var/lib/fleet-executor")

    static func main() {
        exit(run(Array(CommandLine.arguments.dropFirst())))
    }

    static func run(_ words: [String]) -> Int32 {
        guard let first = words.first, first != "-h", first != "--help" else {
            print(rootHelp, terminator: "")
            return 0
        }
        if first == "help" {
            guard words.count > 1 else { print(rootHelp, terminator: ""); return 0 }
            guard let command = subcommands.first(where: { $0.spec.name == words[1] }) else {
                printError("error: unknown command '\(words[1])'\n\n\(rootUsage)")
                return usageStatus
            }
            print(command.spec.help(tool: tool), terminator: "")
            return 0
        }
        guard let command = subcommands.first(where: { $0.spec.name == first }) else {
            printError("error: unknown command '\(first)'\n\n\(rootUsage)")
            return usageStatus
        }
        do {
            let parsed = try command.spec.parse(words.dropFirst())
            if parsed.helpRequested {
                print(command.spec.help(tool: tool), terminator: "")
                return 0
            }
            return try command.run(parsed)
        } catch let error as UsageError {
            printError("error: \(error)\nusage: \(command.spec.usage(tool: tool))\n  see '\(tool) \(first) --help'")
            return usageStatus
        } catch {
            printError("error: \(error)")
            return 1
        }
    }

    static var rootUsage: String { "USAGE: \(tool) <command> [options]\n  see '\(tool) <command> --help'" }

    static var rootHelp: String {
        var text = "OVERVIEW: \(abstract)\n\n\(rootUsage)\n\nCOMMANDS:\n"
        for (spec, _) in subcommands {
            text += "  " + spec.name + String(repeating: " ", count: max(2, 12 - spec.name.count)) + spec.abstract + "\n"
        }
        return text + "  help        Show help for a command.\n"
    }
}

enum Enroll {
    static let spec = CommandSpec(
        name: "enroll",
        abstract: "Enrol this device with an enrolment token and store its credential (mode 0600).",
        discussion: "Example: fleet-executor enroll --server http://fleet.example:8080 --token fle_...",
        options: [
            .init(name: "server", valueName: "url", help: "The server's base URL."),
            .init(name: "token", valueName: "token", help: "An enrolment token (fle_...)."),
            .init(name: "name", valueName: "name", help: "The device's name (default: its hardware id)."),
            .init(name: "hardware-id", valueName: "id",
                  help: "The id the server knows this device by (default: /etc/machine-id); enrolling the same id again rotates its credential."),
            FleetExecutorCommand.stateOption,
        ],
        optionalOptions: ["name", "hardware-id"])

    static func run(_ parsed: ParsedCommand) throws -> Int32 {
        let hardwareID = parsed.value("hardware-id")
        if let hardwareID, hardwareID.isEmpty || hardwareID.count > 256 {
            throw UsageError("--hardware-id must be 1 to 256 characters")
        }
        let state = StateDirectory(parsed.value("state-dir")!)
        do {
            let (identity, status) = try Enrollment.enroll(server: parsed.value("server")!, enrollmentToken: parsed.value("token")!,
                                                           name: parsed.value("name"), hardwareID: hardwareID, state: state)
            print("enrolled as device \(identity.deviceID) (\(status)); identity saved in \(state.file("identity.json"))")
            if status == "pending" { print("an operator must approve the device before it receives commands") }
            return 0
        } catch {
            printError("error: enrolment failed: \(error)")
            return 1
        }
    }
}

enum Run {
    static let spec = CommandSpec(
        name: "run",
        abstract: "Run the executor: heartbeats, commands, telemetry. SIGTERM or SIGINT stop it.",
        discussion: "Exits 0 when stopped by a signal, 1 on a fault and \(FleetExecutorCommand.credentialRefusedStatus) when the server refuses the credential (enrol again).",
        options: [
            .init(name: "telemetry-interval", valueName: "seconds", help: "Seconds between telemetry samples, 1 to 3600.", defaultValue: "15"),
            .init(name: "trusted-key", valueName: "file",
                  help: "A file with a base64 raw 32-byte Ed25519 public key; repeatable. When given, only program objects and models signed by one of these keys load.",
                  repeatable: true),
            FleetExecutorCommand.stateOption,
        ])

    static func run(_ parsed: ParsedCommand) throws -> Int32 {
        let interval: Double = try parsed.number("telemetry-interval", in: 1...3600)!
        let state = StateDirectory(parsed.value("state-dir")!)
        // Before any thread starts, so that only the waiting thread receives them.
        let stopper = Stopper()
        StopSignals.install { _ in stopper.stop() }
        let identity = try ExecutorIdentity.load(from: state)
        var configuration = Executor.Configuration()
        configuration.telemetryIntervalSeconds = interval
        let executor = try Executor(state: state, identity: identity, configuration: configuration)
        try ExecutorAssembly.install(on: executor, state: state, trustedKeyFiles: parsed.all("trusted-key"))
        stopper.set(executor)
        print("fleet-executor running as device \(identity.deviceID) against \(identity.server)")
        fflush(nil)
        executor.run()
        // A distinct status, so a supervisor can stop restarting (the systemd unit does).
        return executor.credentialRefused ? FleetExecutorCommand.credentialRefusedStatus : 0
    }
}

/// Holds the executor for the signal thread; a signal before the executor exists ends the process.
private final class Stopper: Sendable {
    private let executor = Mutex<Executor?>(nil)

    func set(_ value: Executor) { executor.withLock { $0 = value } }

    func stop() {
        guard let executor = executor.withLock({ $0 }) else { exit(0) }
        executor.stop()
    }
}
