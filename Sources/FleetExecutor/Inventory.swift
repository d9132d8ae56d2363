import Glibc
import FleetSystem
import FleetBPF
import FleetJSON

/// What the executor tells the server about its device: probed, not assumed.
public enum Inventory {
    public static let executorVersion = "0.1.0"

    public static func probe() -> JSON {
        var name = utsname()
        uname(&name)
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
        }
        let programTypes = BPFKernelSupport.supportedProgramTypes().map { JSON.string($0.description) }
        return [
            "arch": .string(field(name.machine)),
            "kernel": .string(field(name.release)),
            "os": .string(osName()),
            "hostname": .string(field(name.nodename)),
            "btf": .bool(FileSystem.exists("/sys/kernel/btf/vmlinux")),
            "cpus": .int(Int64(ProcessEnvironment.activeProcessorCount)),
            "memory_bytes": .int(Int64(clamping: ProcessEnvironment.physicalMemory)),
            "executor_version": .string(executorVersion),
            "bpf_program_types": .array(programTypes),
        ]
    }

    private static func osName() -> String {
        guard let text = FileSystem.readText("/etc/os-release") else { return "linux" }
        for line in text.split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
            return String(line.dropFirst("PRETTY_NAME=".count).drop(while: { $0 == "\"" }).reversed().drop(while: { $0 == "\"" }).reversed())
        }
        return "linux"
    }
}
