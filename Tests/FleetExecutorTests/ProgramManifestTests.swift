import Foundation
import FleetBPF
import FleetCore
import FleetJSON
import Testing
@testable import FleetExecutor

@Suite struct ProgramManifestTests {
    static let bpfDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("bpf")

    static func manifest(_ name: String) throws -> ProgramManifest {
        let data = try Data(contentsOf: bpfDirectory.appendingPathComponent("\(name).manifest.json"))
        return try ProgramManifest(json: try JSON.parse([UInt8](data)))
    }

    @Test func everyShippedManifestParses() throws {
        let syscalls = try Self.manifest("syscall_count")
        #expect(syscalls.attach["count_syscalls"]?.target == .tracepoint(category: "raw_syscalls", name: "sys_enter"))
        #expect(syscalls.maps.map(\.kind) == [.counter, .hashCounter])
        #expect(syscalls.maps[1].keyLabel == "syscall_id")
        #expect(syscalls.rodata == ["target_pid": .int(0)])

        let xdp = try Self.manifest("xdp_counter")
        #expect(xdp.attach["count_packets"]?.target == .xdp(interface: "eth0", mode: .auto))
        #expect(xdp.maps.first?.fields == ["packets", "bytes"])

        let exec = try Self.manifest("exec_events")
        #expect(exec.ringbufs.first?.maxPerSecond == 1000)
        #expect(exec.ringbufs.first?.layout?.size == 288)
        #expect(exec.ringbufs.first?.labels == ["comm", "filename"])

        let runq = try Self.manifest("runq_latency")
        #expect(runq.attach.values.allSatisfy { $0 == .auto })
        #expect(runq.maps.first?.kind == .histogramLog2)
        #expect(runq.maps.first?.keyLabel == "key")
        _ = try Self.manifest("tcp_retransmit")
    }

    @Test func tracepointTargetsParseInBothSpellings() throws {
        let expected = ProgramAttachSpec.Target.tracepoint(category: "sched", name: "sched_process_exec")
        for json: JSON in [["type": "tracepoint", "target": "sched/sched_process_exec"],
                           ["type": "tracepoint", "target": "sched:sched_process_exec"],
                           ["type": "tracepoint", "category": "sched", "name": "sched_process_exec"]] {
            #expect(try ProgramAttachSpec(json: json, path: "attach").target == expected)
        }
        #expect(try ProgramAttachSpec(json: ["type": "tracepoint"], path: "attach").target == .auto)
        #expect(throws: JSONError.self) { try ProgramAttachSpec(json: ["type": "tracepoint", "target": "sched"], path: "attach") }
    }

    @Test func attachTypesMapToKernelTargets() throws {
        #expect(try ProgramAttachSpec(json: ["type": "xdp", "iface": "veth0", "mode": "generic"], path: "").target
            == .xdp(interface: "veth0", mode: .skb))
        #expect(try ProgramAttachSpec(json: ["type": "xdp", "iface": "veth0", "mode": "native"], path: "").target
            == .xdp(interface: "veth0", mode: .native))
        #expect(try ProgramAttachSpec(json: ["type": "tc", "iface": "eth1", "direction": "egress"], path: "").target
            == .tc(interface: "eth1", direction: .egress, priority: 1))
        #expect(try ProgramAttachSpec(json: ["type": "kprobe", "target": "do_sys_openat2", "offset": 4], path: "").target
            == .kprobe(function: "do_sys_openat2", offset: 4))
        #expect(try ProgramAttachSpec(json: ["type": "uprobe", "binary": "/bin/bash", "function": "readline", "retprobe": true], path: "").target
            == .uretprobe(binary: "/bin/bash", symbol: "readline", offset: 0, pid: nil))
        let trampoline = try ProgramAttachSpec(json: ["type": "fentry", "target": "tcp_connect"], path: "")
        #expect(trampoline.target == .fentry)
        #expect(trampoline.traceFunction == "tcp_connect")
        #expect(trampoline.supportsAtomicReplace == false)
        #expect(try ProgramAttachSpec(json: ["type": "xdp", "iface": "eth0"], path: "").supportsAtomicReplace)
    }

    @Test func badAttachObjectsAreRefusedWithTheirPath() {
        let cases: [(JSON, String)] = [
            (["type": "xdp", "iface": "eth0", "mode": "offload"], "attach.mode"),
            (["type": "xdp"], "attach.iface"),
            (["type": "xdp", "iface": "a/b"], "attach.iface"),
            (["type": "tc", "iface": "eth0", "direction": "sideways"], "attach.direction"),
            (["type": "teleport"], "attach.type"),
            (["type": "auto", "colour": "red"], "attach"),
            (["type": "uprobe", "binary": "bash"], "attach.binary"),
        ]
        for (json, path) in cases {
            #expect {
                try ProgramAttachSpec(json: json, path: "attach")
            } throws: { error in
                (error as? JSONError)?.path == path
            }
        }
    }

    @Test func manifestRejectsUnknownMembersAndBadNames() {
        let cases: [JSON] = [
            ["programs": [], "colour": "red"],
            ["maps": [["name": "m", "kind": "gauge", "metric": "x"]]],
            ["maps": [["name": "m", "kind": "counter", "metric": "1x"]]],
            ["maps": [["name": "m", "kind": "counter", "metric": "x", "key_label": "__reserved"]]],
            ["maps": [["name": "m", "kind": "counter", "metric": "x"], ["name": "m", "kind": "counter", "metric": "y"]]],
            ["ringbufs": [["name": "r", "metric": "e", "max_per_second": 0]]],
            ["ringbufs": [["name": "r", "metric": "e", "layout": "float x"]]],
            ["ringbufs": [["name": "r", "metric": "e", "labels": ["pid"]]]],
            ["ringbufs": [["name": "r", "metric": "e", "layout": "u32 pid", "labels": ["comm"]]]],
            ["ringbufs": [["name": "r", "metric": "e", "layout": "u32 pid", "labels": ["pid", "pid"]]]],
            ["ringbufs": [["name": "r", "metric": "e", "layout": "u32 pid", "labels": "pid"]]],
            ["programs": [["name": "p"], ["name": "p"]]],
            ["rodata": ["x": 1.5]],
        ]
        for json in cases {
            #expect(throws: JSONError.self, "\(json)") { try ProgramManifest(json: json) }
        }
    }

    @Test func rodataTakesIntegersBooleansStringsAndBytes() throws {
        let values = try ProgramManifest.rodata(["pid": 42, "negative": -1, "on": true, "name": "nginx", "raw": [1, 2, 255]], path: "rodata")
        #expect(values == ["pid": .int(42), "negative": .int(-1), "on": .bool(true), "name": .bytes(Array("nginx".utf8)), "raw": .bytes([1, 2, 255])])
        #expect(throws: JSONError.self) { try ProgramManifest.rodata(["raw": [256]], path: "rodata") }
    }

    @Test func ringBufferLabelsSelectFieldsOfTheLayout() throws {
        let manifest = try ProgramManifest(json: ["ringbufs": [["name": "r", "metric": "e", "layout": "u32 pid, char comm[8]", "labels": ["comm"]]]])
        let export = try #require(manifest.ringbufs.first)
        let record: [UInt8] = [7, 0, 0, 0] + Array("bash".utf8) + [0, 0, 0, 0]
        #expect(export.labels(of: try #require(export.layout).decode(record)) == ["comm": "bash"])
        let all = try ProgramManifest(json: ["ringbufs": [["name": "r", "metric": "e", "layout": "u32 pid, char comm[8]"]]])
        #expect(all.ringbufs[0].labels(of: try #require(all.ringbufs[0].layout).decode(record)) == ["pid": "7", "comm": "bash"])
        let none = try ProgramManifest(json: ["ringbufs": [["name": "r", "metric": "e", "layout": "u32 pid, char comm[8]", "labels": []]]])
        #expect(none.ringbufs[0].labels(of: try #require(none.ringbufs[0].layout).decode(record)).isEmpty)
    }
}
