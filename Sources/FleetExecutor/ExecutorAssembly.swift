/// Wires the command handlers and telemetry sources that need more than the core executor.
public enum ExecutorAssembly {
    public static func install(on executor: Executor, state: StateDirectory) throws {
    }
}
