import FleetBPF

/// Wires the command handlers and telemetry sources that need more than the core executor.
public enum ExecutorAssembly {
    /// Installs the program manager (`program.load`, `program.replace`, `program.unload`, map exports) and
    /// brings back the programs recorded in `state`.
    /// - Parameter trustedKeyFiles: Ed25519 public keys (`--trusted-key`); when any is given, only objects
    ///   signed by one of them load.
    /// - Throws: `ExecutorError` for an unreadable key or state directory.
    public static func install(on executor: Executor, state: StateDirectory, trustedKeyFiles: [String] = []) throws {
        let trust = try ArtifactTrust(keyFiles: trustedKeyFiles)
        let connection = executor.connection
        let manager = try ProgramManager(state: state, trust: trust, events: executor.events) { digest in
            try connection.artifact(sha256: digest.hex)
        }
        for operation in ProgramCommandHandler.Operation.allCases {
            executor.register(operation.rawValue, ProgramCommandHandler(operation, manager: manager))
        }
        executor.addTelemetrySource(manager)
        manager.adoptRecorded()
    }
}
