import Testing
import FleetBPF

@Suite("xdp_counter and TC on a veth pair", .serialized)
struct XDPCounterTests {
    private let udp: UInt64 = 17

    @Test func countsPacketsPerProtocol() throws {
        let veth = try VethPair()
        let object = try TestObjects.load("xdp_counter")
        let link = try object.program(named: "count_packets").attach(.xdp(interface: veth.hostInterface, mode: .skb))
        defer { withExtendedLifetime(link) {} }

        try veth.sendUDPToHost(count: 3)
        let stats = try object.map(named: "proto_stats")
        #expect(stats.type == .perCPUHash)
        #expect(try eventually { try stats.u64Fields(forKey: udp)?.first ?? 0 >= 3 })
        let fields = try #require(try stats.u64Fields(forKey: udp))
        #expect(fields.count == 2)
        #expect(fields[1] >= fields[0] * 42, "bytes include Ethernet, IP and UDP headers")
        #expect(try stats.u64FieldsByKey().keys.contains(udp))
    }

    @Test func linkUpdateReplacesTheProgramAtomically() throws {
        let veth = try VethPair()
        let first = try TestObjects.load("xdp_counter")
        let second = try TestObjects.load("xdp_counter")
        let link = try first.program(named: "count_packets").attach(.xdp(interface: veth.hostInterface, mode: .auto))
        defer { withExtendedLifetime(link) {} }
        let firstStats = try first.map(named: "proto_stats")
        let secondStats = try second.map(named: "proto_stats")

        try veth.sendUDPToHost(count: 3)
        #expect(try eventually { try firstStats.u64Counter(forKey: udp) ?? 0 >= 3 })

        try link.update(program: second.program(named: "count_packets"))
        let before = try firstStats.u64Counter(forKey: udp)
        try veth.sendUDPToHost(count: 3)
        #expect(try eventually { try secondStats.u64Counter(forKey: udp) ?? 0 >= 3 })
        #expect(try firstStats.u64Counter(forKey: udp) == before)
    }

    @Test func unknownInterfaceIsNotFound() throws {
        let object = try TestObjects.load("xdp_counter")
        let error = try #require(throws: BPFError.self) {
            _ = try object.program(named: "count_packets").attach(.xdp(interface: "no-such-if0"))
        }
        #expect(error.code == .notFound)
    }

    @Test func tcClassifierCountsAndDetachesOnRelease() throws {
        let veth = try VethPair()
        let object = try TestObjects.load("attach_kinds")
        var link: BPFLink? = try object.program(named: "on_tc").attach(.tc(interface: veth.hostInterface, direction: .ingress))
        #expect(try Shell.check(["tc", "filter", "show", "dev", veth.hostInterface, "ingress"]).contains("on_tc"))

        try veth.sendUDPToHost(count: 3)
        let hits = try object.map(named: "hits")
        #expect(try eventually { try hits.u64Counter(forKey: AttachSlot.tc) ?? 0 >= 3 })
        #expect(throws: BPFError.self) { try link?.pin(at: "/sys/fs/bpf/fleet-test-tc-\(TestObjects.uniqueSuffix())") }

        link = nil
        #expect(!(try Shell.check(["tc", "filter", "show", "dev", veth.hostInterface, "ingress"]).contains("on_tc")))
    }

    @Test func tcFilterWithAFixedHandleIsAdoptedByProgramAndRemovedThroughTheAdoptedLink() throws {
        let veth = try VethPair()
        let object = try TestObjects.load("attach_kinds")
        let program = try object.program(named: "on_tc")
        let target = BPFAttachTarget.tc(interface: veth.hostInterface, direction: .egress, priority: 7, handle: 0x5eed)
        let original = try program.attach(target)
        let filters = { try Shell.check(["tc", "filter", "show", "dev", veth.hostInterface, "egress"]) }
        #expect(try filters().contains("handle 0x5eed"))

        // What a restarted process does: find the filter by handle and check which program it runs.
        let adopted = try BPFLink(adoptingTC: target, program: try program.id, name: "on_tc")
        let otherHandle = BPFAttachTarget.tc(interface: veth.hostInterface, direction: .egress, priority: 7, handle: 0x5eee)
        #expect(throws: BPFError.self) { _ = try BPFLink(adoptingTC: otherHandle, program: try program.id, name: "on_tc") }
        let otherProgram = BPFProgramID(rawValue: try program.id.rawValue &+ 1)
        #expect(throws: BPFError.self) { _ = try BPFLink(adoptingTC: target, program: otherProgram, name: "on_tc") }
        let noHandle = BPFAttachTarget.tc(interface: veth.hostInterface, direction: .egress, priority: 7)
        #expect(throws: BPFError.self) { _ = try BPFLink(adoptingTC: noHandle, program: try program.id, name: "on_tc") }

        try adopted.detach()
        #expect(!(try filters().contains("on_tc")))
        _ = original
    }
}

/// Slots of the `hits` map in bpf/tests/attach_kinds.bpf.c.
enum AttachSlot {
    static let kprobe: UInt64 = 0
    static let kretprobe: UInt64 = 1
    static let uprobe: UInt64 = 2
    static let uretprobe: UInt64 = 3
    static let rawTracepoint: UInt64 = 4
    static let tc: UInt64 = 5
}
