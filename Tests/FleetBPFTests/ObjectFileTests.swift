import Testing
import FleetBPF

@Suite("Opened objects")
struct ObjectFileTests {
    @Test func listsProgramsAndMapsBeforeLoad() throws {
        let object = try TestObjects.open("syscall_count")
        let program = try #require(object.programs.first { $0.name == "count_syscalls" })
        #expect(program.section == "tracepoint/raw_syscalls/sys_enter")
        #expect(program.type == .tracepoint)
        #expect(program.autoload)
        let counts = try #require(object.maps.first { $0.name == "syscall_counts" })
        #expect(counts.type == .hash)
        #expect(counts.keySize == 4 && counts.valueSize == 8 && counts.maxEntries == 1024)
        #expect(!counts.isInternal)
        #expect(object.maps.contains { $0.isInternal && $0.name.hasSuffix(".rodata") })
    }

    @Test func describesRodataVariablesFromBTF() throws {
        let object = try TestObjects.open("syscall_count")
        #expect(object.rodataVariables == [BPFRodataVariable(name: "target_pid", offset: 0, size: 4, kind: .unsignedInteger)])
        let runq = try TestObjects.open("runq_latency")
        #expect(runq.rodataVariables.map(\.name) == ["min_latency_us"])
        #expect(runq.rodataVariables.first?.size == 8)
    }

    @Test func rejectsUnknownRodataVariable() throws {
        var object = try TestObjects.open("syscall_count")
        let error = try #require(throws: BPFError.self) { try object.setRodata("no_such_var", to: 1) }
        #expect(error.code == .notFound)
    }

    @Test func rejectsRodataValuesThatDoNotFit() throws {
        var object = try TestObjects.open("syscall_count")
        let negative = try #require(throws: BPFError.self) { try object.setRodata("target_pid", to: .int(-1)) }
        #expect(negative.code == .rodata)
        let wide = try #require(throws: BPFError.self) { try object.setRodata("target_pid", to: .uint(1 << 32)) }
        #expect(wide.code == .rodata)
        let long = try #require(throws: BPFError.self) { try object.setRodata("target_pid", to: .bytes([1, 2, 3, 4, 5])) }
        #expect(long.code == .rodata)
        try object.setRodata("target_pid", to: .uint(UInt64(UInt32.max)))
        try object.setRodata("target_pid", to: true)
    }

    @Test func rejectsBytesThatAreNotAnObject() {
        let error = #expect(throws: BPFError.self) { _ = try BPFObjectFile.open(bytes: [0x7f, 0x45, 0x4c, 0x46, 1, 2, 3], name: "junk") }
        #expect(error?.code == .open)
    }

    @Test func unknownProgramIsNotFound() throws {
        var object = try TestObjects.open("syscall_count")
        let error = try #require(throws: BPFError.self) { try object.setAutoload(program: "missing", false) }
        #expect(error.code == .notFound)
    }
}
