import Glibc
import FleetSystem
import FleetBPF
import FleetJSON
import FleetBuildInfo

/// What the executor tells the server about its device: probed, not assumed.
public enum Inventory {
    public static let executorVersion = FleetBuild.version

    /// The program types whose helpers are listed: those a manifest can attach.
    static let helperProgramTypes: [BPFProgramType] = [.tracepoint, .rawTracepoint, .kprobe, .tracing, .xdp, .schedCLS]

    /// What the running kernel accepts cannot change until it reboots, so it is probed once, on first use:
    /// a tiny program load per program type, and one or two per helper and listed type (about 1,000 `bpf(2)`
    /// calls, tens of milliseconds).
    static let kernelSupport: [String: JSON] = {
        let programTypes = BPFKernelSupport.supportedProgramTypes()
        var helpers: [String: JSON] = [:]
        for type in helperProgramTypes where programTypes.contains(type) {
            helpers[type.description] = .array(BPFKernelSupport.supportedHelpers(for: type).map { .string($0.name) })
        }
        return ["bpf_program_types": .array(programTypes.map { .string($0.description) }), "bpf_helpers": .object(helpers)]
    }()

    public static func probe() -> JSON {
        var name = utsname()
        uname(&name)
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
        }
        let machine: [String: JSON] = [
            "arch": .string(field(name.machine)),
            "kernel": .string(field(name.release)),
            "os": .string(osName()),
            "hostname": .string(field(name.nodename)),
            "btf": .bool(FileSystem.exists("/sys/kernel/btf/vmlinux")),
            "cpus": .int(Int64(ProcessEnvironment.activeProcessorCount)),
            "memory_bytes": .int(Int64(clamping: ProcessEnvironment.physicalMemory)),
            "executor_version": .string(executorVersion),
        ]
        return .object(machine.merging(kernelSupport) { current, _ in current })
    }

    private static func osName() -> String {
        guard let text = FileSystem.readText("/etc/os-release") else { return "linux" }
        for line in text.split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
            return String(line.dropFirst("PRETTY_NAME=".count).drop(while: { $0 == "\"" }).reversed().drop(while: { $0 == "\"" }).reversed())
        }
        return "linux"
    }
}
