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

    @Test func aFailedOpenCarriesWhatLibbpfSaid() throws {
        let error = try #require(throws: BPFError.self) { _ = try BPFObjectFile.open(bytes: Array("not an object".utf8), name: "junk") }
        #expect(error.libbpfWarnings == ["elf: 'junk' is not a proper ELF object"])
        #expect(error.errnoText == "BPF object format invalid", "libbpf's own error codes are named")
        #expect(error.description == "bpf_object__open_mem failed for 'junk': elf: 'junk' is not a proper ELF object (BPF object format invalid)")
    }

    /// A map whose BTF variable names a type that does not exist: libbpf 1.1 dereferences NULL opening it.
    @Test func aBTFReferenceToNoTypeIsRefusedBeforeLibbpfFollowsIt() throws {
        var bytes = try TestObjects.bytes("syscall_count")
        let variable = try #require(BTFTypes(bytes).first { $0.kind == 14 }, "syscall_count's BTF has a VAR")
        bytes.replaceSubrange(variable.offset + 8..<variable.offset + 12, with: [0xff, 0xff, 0xff, 0x00])
        let error = try #require(throws: BPFError.self) { _ = try BPFObjectFile.open(bytes: bytes, name: "corrupt") }
        #expect(error.code == .open)
        #expect(error.description.contains("BTF type [\(variable.id)] refers to type [16777215], which does not exist"), "\(error)")
    }

    @Test func unknownProgramIsNotFound() throws {
        var object = try TestObjects.open("syscall_count")
        let error = try #require(throws: BPFError.self) { try object.setAutoload(program: "missing", false) }
        #expect(error.code == .notFound)
    }
}

/// The types of an object's `.BTF` section, found by its header (magic 0xeB9F, version 1, 24-byte header),
/// with where each starts in the object.
struct BTFTypes: Sequence {
    let bytes: [UInt8]
    let start: Int

    init(_ bytes: [UInt8]) throws {
        let header: [UInt8] = [0x9f, 0xeb, 1, 0, 24, 0, 0, 0]
        let start = try #require((0..<(bytes.count - header.count)).first { bytes[$0..<$0 + header.count].elementsEqual(header) })
        self.bytes = bytes
        self.start = start
    }

    func makeIterator() -> AnyIterator<(id: Int, kind: Int, offset: Int)> {
        func u32(_ at: Int) -> Int { (0..<4).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) } }
        // Bytes after the 12-byte btf_type: fixed by kind, or per member (vlen) for the kinds with members.
        let fixed = [1: 4, 3: 12, 14: 4, 17: 4]
        let perMember = [4: 12, 5: 12, 6: 8, 13: 8, 15: 12, 19: 12]
        var offset = start + 24 + u32(start + 8)
        let end = offset + u32(start + 12)
        var id = 0
        return AnyIterator {
            guard offset < end else { return nil }
            let info = u32(offset + 4)
            let kind = (info >> 24) & 0x1f
            let item = (id: id + 1, kind: kind, offset: offset)
            offset += 12 + (fixed[kind] ?? 0) + (perMember[kind] ?? 0) * (info & 0xffff)
            id += 1
            return item
        }
    }
}
