import FleetBPF

/// Wires the command handlers and telemetry sources that need more than the core executor.
public enum ExecutorAssembly {
    /// Installs the program manager (`program.load`, `program.replace`, `program.unload`, map exports) and the
    /// model manager (`model.deploy`, `model.remove`, `inference.run`, scheduled inference over program maps),
    /// brings back the programs and models recorded in `state`, starts the inference schedules, and has both
    /// managers reconciled with the desired state from the server.
    /// - Parameters:
    ///   - trustedKeyFiles: Ed25519 public keys (`--trusted-key`); when any is given, only programs and models
    ///     signed by one of them load.
    ///   - pinRoot: where program pins go (`--pin-root`), a directory on a bpf filesystem.
    /// - Throws: `ExecutorError` for an unreadable key or state directory.
    public static func install(on executor: Executor, state: StateDirectory, trustedKeyFiles: [String] = [],
                               pinRoot: String = BPFPinDirectory.defaultRoot) throws {
        let trust = try ArtifactTrust(keyFiles: trustedKeyFiles)
        let connection = executor.connection
        let manager = try ProgramManager(state: state, trust: trust, events: executor.events, pinRoot: pinRoot) { digest in
            try connection.artifact(sha256: digest.hex)
        }
        for operation in ProgramCommandHandler.Operation.allCases {
            executor.register(operation.rawValue, ProgramCommandHandler(operation, manager: manager))
        }
        executor.addTelemetrySource(manager)
        manager.adoptRecorded()

        let models = try ModelManager(state: state, trust: trust, readMap: { program, map in
            try manager.map(map, ofProgram: program).u64FieldsByKey()
        }, fetch: { digest in
            try connection.artifact(sha256: digest.hex)
        })
        for (type, handler) in models.commandHandlers { executor.register(type, handler) }
        executor.addTelemetrySource(models)
        models.restoreRecorded()
        models.startScheduler { !executor.isStopped }
        executor.enableReconciliation(targets: [manager, models])
    }
}
