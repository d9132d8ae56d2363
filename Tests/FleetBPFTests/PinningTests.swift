import Foundation
import Testing
import FleetBPF

@Suite("Pinning and adoption")
struct PinningTests {
    /// Loads, attaches and pins syscall_count, then releases every Swift object.
    private func deployPinned(in directory: BPFPinDirectory) throws -> BPFProgramID {
        var file = try TestObjects.open("syscall_count")
        try file.setRodata("target_pid", to: .uint(UInt64(getpid())))
        let object = try file.load()
        let program = try object.program(named: "count_syscalls")
        let link = try program.attach()
        try object.pin(in: directory, links: ["count_syscalls": link])
        #expect(link.pinPath == directory.linkPath("count_syscalls"))
        return try program.id
    }

    private func bpftoolLists(_ id: BPFProgramID) -> Bool {
        Shell.run(["bpftool", "prog", "show", "id", id.description]).status == 0
    }

    @Test func pinnedProgramKeepsRunningAndIsAdoptedAfterRelease() throws {
        let directory = try BPFPinDirectory(name: "test-\(TestObjects.uniqueSuffix())")
        defer { try? directory.remove() }
        let id = try deployPinned(in: directory)

        #expect(PinListing.list(directory.programsPath) == ["count_syscalls"])
        #expect(PinListing.list(directory.mapsPath) == ["syscall_counts", "syscall_total"])
        #expect(PinListing.list(directory.linksPath) == ["count_syscalls"])

        do {
            let adopted = try BPFPinnedObject(adopting: directory)
            #expect(try adopted.program(named: "count_syscalls").id == id)
            #expect(try adopted.program(named: "count_syscalls").type == .tracepoint)
            let total = try adopted.map(named: "syscall_total")
            let before = try #require(try total.u64Counter(forKey: 0))
            makeSyscalls(1000)
            #expect(try total.u64Counter(forKey: 0) ?? 0 >= before + 1000)
            #expect(try adopted.map(named: "syscall_counts").u64Counter(forKey: getpidSyscall) ?? 0 >= 1000)
            #expect(try adopted.link(named: "count_syscalls").pinPath != nil)
        }

        // Still running with no Swift object left.
        let again = try BPFPinnedObject(adopting: directory)
        let total = try again.map(named: "syscall_total")
        let before = try #require(try total.u64Counter(forKey: 0))
        makeSyscalls(100)
        #expect(try total.u64Counter(forKey: 0) ?? 0 >= before + 100)
        #expect(bpftoolLists(id))

        try directory.remove()
        #expect(!directory.exists)
        withExtendedLifetime(again) {}
    }

    @Test func removingPinsUnloadsTheProgram() throws {
        let directory = try BPFPinDirectory(name: "test-\(TestObjects.uniqueSuffix())")
        defer { try? directory.remove() }
        let id = try deployPinned(in: directory)
        #expect(bpftoolLists(id))

        try directory.remove()
        #expect(!FileManager.default.fileExists(atPath: directory.path))
        #expect(eventually { !bpftoolLists(id) })
    }

    @Test func adoptedXDPLinkCanBeUpdated() throws {
        let veth = try VethPair()
        let directory = try BPFPinDirectory(name: "test-\(TestObjects.uniqueSuffix())")
        defer { try? directory.remove() }
        do {
            let object = try TestObjects.load("xdp_counter")
            let link = try object.program(named: "count_packets").attach(.xdp(interface: veth.hostInterface, mode: .skb))
            try object.pin(in: directory, links: ["count_packets": link])
        }
        let replacement = try TestObjects.load("xdp_counter")
        let adopted = try BPFPinnedObject(adopting: directory)
        try adopted.link(named: "count_packets").update(program: replacement.program(named: "count_packets"))
        try veth.sendUDPToHost(count: 3)
        let stats = try replacement.map(named: "proto_stats")
        #expect(try eventually { try stats.u64Counter(forKey: 17) ?? 0 >= 3 })
    }

    @Test func adoptingAMissingDirectoryIsNotFound() throws {
        let directory = try BPFPinDirectory(name: "absent-\(TestObjects.uniqueSuffix())")
        let error = try #require(throws: BPFError.self) { _ = try BPFPinnedObject(adopting: directory) }
        #expect(error.code == .notFound)
    }

    @Test func pinNamesMustBeOneComponent() {
        #expect(throws: BPFError.self) { _ = try BPFPinDirectory(name: "../etc") }
        #expect(throws: BPFError.self) { _ = try BPFPinDirectory(name: "a/b") }
        #expect(throws: BPFError.self) { _ = try BPFPinDirectory(name: "") }
    }
}

enum PinListing {
    static func list(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }
}
