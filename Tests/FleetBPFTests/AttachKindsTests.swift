import Foundation
import Testing
import FleetBPF

/// What this kernel can attach to, so that each test checks the real behaviour of the running kernel.
enum KernelCapabilities {
    /// kprobes need the kprobe PMU or tracefs kprobe_events (CONFIG_KPROBES, CONFIG_KPROBE_EVENTS).
    static let kprobes = FileManager.default.fileExists(atPath: "/sys/bus/event_source/devices/kprobe")
        || FileManager.default.fileExists(atPath: "/sys/kernel/tracing/kprobe_events")
    /// fentry/fexit need BPF trampolines (BPF_PROG_TYPE_TRACING with ftrace direct calls).
    static let trampolines = BPFKernelSupport.supports(.tracing)
}

@Suite("Attach kinds")
struct AttachKindsTests {
    private func load(_ name: String) throws -> BPFObject {
        var file = try TestObjects.open(name)
        try file.setRodata("target_pid", to: .uint(UInt64(getpid())))
        return try file.load()
    }

    private func openDevNull(times: Int) {
        for _ in 0..<times { close(open("/dev/null", O_RDONLY)) }
    }

    @Test(.enabled(if: KernelCapabilities.kprobes))
    func kprobeAndKretprobeOnAKernelFunction() throws {
        let object = try load("attach_kinds")
        let entry = try object.program(named: "on_kprobe").attach(.kprobe(function: "do_sys_openat2"))
        let exit = try object.program(named: "on_kretprobe").attach(.kretprobe(function: "do_sys_openat2"))
        defer { withExtendedLifetime((entry, exit)) {} }
        openDevNull(times: 5)
        let hits = try object.map(named: "hits")
        #expect(try hits.u64Counter(forKey: AttachSlot.kprobe) ?? 0 >= 5)
        #expect(try hits.u64Counter(forKey: AttachSlot.kretprobe) ?? 0 >= 5)
    }

    @Test(.enabled(if: !KernelCapabilities.kprobes))
    func kprobeWithoutKernelSupportIsAnAttachError() throws {
        let object = try load("attach_kinds")
        let error = try #require(throws: BPFError.self) {
            _ = try object.program(named: "on_kprobe").attach(.kprobe(function: "do_sys_openat2"))
        }
        #expect(error.code == .attach)
        #expect(error.operation == "bpf_program__attach_kprobe_opts")
        #expect(error.errno != nil)
    }

    @Test(.enabled(if: KernelCapabilities.trampolines))
    func fentryAndFexitFromTheirSections() throws {
        let object = try load("attach_trampoline")
        let links = try object.attachAll()
        #expect(links.keys.sorted() == ["on_fentry", "on_fexit"])
        openDevNull(times: 5)
        let hits = try object.map(named: "hits")
        #expect(try hits.u64Counter(forKey: 0) ?? 0 >= 5)
        #expect(try hits.u64Counter(forKey: 1) ?? 0 >= 5)
        let wrong = try #require(throws: BPFError.self) { _ = try object.program(named: "on_fentry").attach(.fexit) }
        #expect(wrong.code == .invalidArgument)
    }

    @Test(.enabled(if: KernelCapabilities.trampolines))
    func fentryTargetCanBeChangedBeforeLoad() throws {
        var file = try TestObjects.open("attach_trampoline")
        try file.setRodata("target_pid", to: .uint(UInt64(getpid())))
        try file.setAttachTarget(program: "on_fentry", function: "__do_sys_getpid")
        try file.setAutoload(program: "on_fexit", false)
        let object = try file.load()
        let link = try object.program(named: "on_fentry").attach(.fentry)
        defer { withExtendedLifetime(link) {} }
        makeSyscalls(10)
        #expect(try object.map(named: "hits").u64Counter(forKey: 0) ?? 0 >= 10)
    }

    @Test(.enabled(if: !KernelCapabilities.trampolines))
    func fentryWithoutTrampolinesFailsToLoad() throws {
        let error = try #require(throws: BPFError.self) { _ = try TestObjects.open("attach_trampoline").load() }
        #expect(error.code == .load)
        #expect(error.subject.hasPrefix("attach_trampoline"))
        #expect(error.errno != nil)
    }

    @Test func uprobeAndUretprobeOnALibcSymbol() throws {
        let maps = try Shell.check(["cat", "/proc/\(getpid())/maps"])
        let libc = try #require(maps.split(separator: "\n").lazy
            .compactMap { $0.split(separator: " ").last.map(String.init) }
            .first { $0.hasPrefix("/") && $0.contains("/libc.so") })
        let object = try load("attach_kinds")
        let pid = getpid()
        let entry = try object.program(named: "on_uprobe").attach(.uprobe(binary: libc, symbol: "getpid", pid: pid))
        let exit = try object.program(named: "on_uretprobe").attach(.uretprobe(binary: libc, symbol: "getpid", pid: pid))
        defer { withExtendedLifetime((entry, exit)) {} }
        makeSyscalls(10)
        let hits = try object.map(named: "hits")
        #expect(try hits.u64Counter(forKey: AttachSlot.uprobe) ?? 0 >= 10)
        #expect(try hits.u64Counter(forKey: AttachSlot.uretprobe) ?? 0 >= 10)
    }

    @Test func rawTracepointByName() throws {
        let object = try load("attach_kinds")
        let link = try object.program(named: "on_raw_tp").attach(.rawTracepoint(name: "sys_enter"))
        defer { withExtendedLifetime(link) {} }
        makeSyscalls(10)
        #expect(try object.map(named: "hits").u64Counter(forKey: AttachSlot.rawTracepoint) ?? 0 >= 10)
        #expect(try link.id != nil)
    }

    @Test func attachAllSkipsSectionsWithoutTargets() throws {
        let object = try load("attach_kinds")
        let links = try object.attachAll()
        #expect(links.isEmpty)
    }
}
