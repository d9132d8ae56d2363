import ArgumentParser
import Glibc
import Synchronization
import FleetExecutor
import FleetBuildInfo

@main
struct FleetExecutorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet-executor",
        abstract: "The Fleet executor: runs on a device, takes commands from the server and reports back.",
        version: FleetBuild.versionLine,
        subcommands: [Enroll.self, Run.self, Infer.self])

    /// `run` exits with this status when the server refuses the credential; restarting will not help.
    static let credentialRefusedStatus: Int32 = 3
}

struct StateOptions: ParsableArguments {
    @Option(name: .customLong("state-dir"), help: "Where the identity, command journal and telemetry outbox live.")
    var stateDirectory = "/var/lib/fleet-executor"

    var state: StateDirectory { StateDirectory(stateDirectory) }
}

extension FleetExecutorCommand {
    struct Enroll: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enrol this device with an enrolment token and store its credential (mode 0600).",
            discussion: "Example: fleet-executor enroll --server http://fleet.example:8080 --token fle_...")

        @Option(help: "The server's base URL.")
        var server: String

        @Option(help: "An enrolment token (fle_...).")
        var token: String

        @Option(help: "The device's name (default: its hardware id).")
        var name: String?

        @Option(name: .customLong("hardware-id"),
                help: "The id the server knows this device by (default: /etc/machine-id); enrolling the same id again rotates its credential.")
        var hardwareID: String?

        func validate() throws {
            if let hardwareID, hardwareID.isEmpty || hardwareID.count > 256 {
                throw ValidationError("--hardware-id must be 1 to 256 characters")
            }
        }

        @OptionGroup var state: StateOptions

        func run() throws {
            do {
                let (identity, status) = try Enrollment.enroll(server: server, enrollmentToken: token, name: name, hardwareID: hardwareID,
                                                                  state: state.state)
                print("enrolled as device \(identity.deviceID) (\(status)); identity saved in \(state.state.file("identity.json"))")
                if status == "pending" { print("an operator must approve the device before it receives commands") }
            } catch {
                ExecutorLog.write("error: enrolment failed: \(error)")
                throw ExitCode.failure
            }
        }
    }

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the executor: heartbeats, commands, telemetry. SIGTERM or SIGINT stop it.")

        @Option(name: .customLong("telemetry-interval"), help: "Seconds between telemetry samples, unless a policy sets them.")
        var telemetryInterval: Double = 15

        @Option(name: .customLong("trusted-key"),
                help: "A file with a base64 raw 32-byte Ed25519 public key; repeatable. When given, only program objects and models signed by one of these keys load.")
        var trustedKeys: [String] = []

        @Option(name: .customLong("pin-root"),
                help: "The directory on a bpf filesystem under which program pins go, one folder per deployment (two executors on one host need two).")
        var pinRoot = "/sys/fs/bpf/fleet"

        @OptionGroup var state: StateOptions

        func validate() throws {
            guard pinRoot.hasPrefix("/") else { throw ValidationError("--pin-root must be an absolute path") }
            guard telemetryInterval >= 1 && telemetryInterval <= 3600 else { throw ValidationError("--telemetry-interval must be between 1 and 3600") }
        }

        func run() throws {
            // Before any thread starts, so that only the waiting thread receives them.
            let stopper = Stopper()
            StopSignals.install { _ in stopper.stop() }
            let identity: ExecutorIdentity
            do { identity = try ExecutorIdentity.load(from: state.state) } catch {
                ExecutorLog.write("error: \(error)")
                throw ExitCode.failure
            }
            var configuration = Executor.Configuration()
            configuration.telemetryIntervalSeconds = telemetryInterval
            let executor = try Executor(state: state.state, identity: identity, configuration: configuration)
            do { try ExecutorAssembly.install(on: executor, state: state.state, trustedKeyFiles: trustedKeys, pinRoot: pinRoot) } catch {
                ExecutorLog.write("error: \(error)")
                throw ExitCode.failure
            }
            stopper.set(executor)
            print("fleet-executor running as device \(identity.deviceID) against \(identity.server)")
            fflush(nil)
            executor.run()
            if executor.credentialRefused {
                // A distinct status, so a supervisor can stop restarting (the systemd unit does).
                throw ExitCode(FleetExecutorCommand.credentialRefusedStatus)
            }
        }
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
