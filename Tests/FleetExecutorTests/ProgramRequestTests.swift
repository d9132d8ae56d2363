import Foundation
import FleetBPF
import FleetJSON
import Testing
@testable import FleetExecutor

@Suite struct ProgramRequestTests {
    static let programID = "6f1c1e7a-4d8e-4a59-9a43-3f0d6c1b2a10"
    static let sha = String(repeating: "ab", count: 32)

    @Test func loadPayloadNeedsProgramIDAndDigest() throws {
        let request = try ProgramLoadRequest(payload: ["program_id": .string(Self.programID), "sha256": .string(Self.sha.uppercased())])
        #expect(request.name == Self.programID, "the name defaults to the program id")
        #expect(request.sha256.hex == Self.sha)
        #expect(request.manifest == .empty)
        #expect(request.attachSpec(for: "anything") == .auto)
        #expect(request.json["name"]?.stringValue == Self.programID)

        for payload: JSON in [["sha256": .string(Self.sha)], ["program_id": .string(Self.programID)],
                              ["program_id": "nope", "sha256": .string(Self.sha)],
                              ["program_id": .string(Self.programID), "sha256": "abc"],
                              ["program_id": .string(Self.programID), "sha256": .string(Self.sha), "name": "../etc"],
                              ["program_id": .string(Self.programID), "sha256": .string(Self.sha), "name": "-x"],
                              ["program_id": .string(Self.programID), "sha256": .string(Self.sha), "signature": "AAAA"],
                              ["program_id": .string(Self.programID), "sha256": .string(Self.sha), "extra": 1]] {
            #expect(throws: JSONError.self, "\(payload)") { try ProgramLoadRequest(payload: payload) }
        }
    }

    @Test func attachOverrideAppliesToAllOrToNamedPrograms() throws {
        let manifest: JSON = ["programs": [["name": "a", "attach": ["type": "tracepoint", "target": "sched/sched_switch"]], ["name": "b"]]]
        let base: [String: JSON] = ["program_id": .string(Self.programID), "sha256": .string(Self.sha), "name": "demo", "manifest": manifest]

        let plain = try ProgramLoadRequest(payload: .object(base))
        #expect(plain.attachSpec(for: "a").target == .tracepoint(category: "sched", name: "sched_switch"))
        #expect(plain.attachSpec(for: "b") == .auto)

        var all = base
        all["attach"] = ["type": "xdp", "iface": "veth1", "mode": "skb"]
        let overridden = try ProgramLoadRequest(payload: .object(all))
        #expect(overridden.attachSpec(for: "a").target == .xdp(interface: "veth1", mode: .skb))
        #expect(overridden.attachSpec(for: "b").target == .xdp(interface: "veth1", mode: .skb))

        var named = base
        named["attach"] = ["b": ["type": "raw_tracepoint", "target": "sys_enter"]]
        let perProgram = try ProgramLoadRequest(payload: .object(named))
        #expect(perProgram.attachSpec(for: "a").target == .tracepoint(category: "sched", name: "sched_switch"))
        #expect(perProgram.attachSpec(for: "b").target == .rawTracepoint(name: "sys_enter"))
    }

    @Test func commandRodataWinsOverManifestDefaults() throws {
        let request = try ProgramLoadRequest(payload: [
            "program_id": .string(Self.programID), "sha256": .string(Self.sha),
            "manifest": ["rodata": ["target_pid": 0, "verbose": false]], "rodata": ["target_pid": 4242],
        ])
        #expect(request.effectiveRodata == ["target_pid": .int(4242), "verbose": .bool(false)])
    }

    @Test func storedRequestReadsBackTheSame() throws {
        let signature = Data(repeating: 7, count: 64).base64EncodedString()
        let original = try ProgramLoadRequest(payload: [
            "program_id": .string(Self.programID), "sha256": .string(Self.sha), "signature": .string(signature),
            "manifest": ["maps": [["name": "m", "kind": "counter", "metric": "m_total"]]], "attach": ["type": "auto"],
        ])
        let again = try ProgramLoadRequest(payload: try JSON.parse(Array(original.json.prettyPrinted().utf8)))
        #expect(again == original)
        #expect(again.signature == [UInt8](repeating: 7, count: 64))
    }

    @Test func unloadPayloadTakesANameAndOptionallyTheProgram() throws {
        #expect(try ProgramUnloadRequest(payload: ["name": "syscalls"]).programID == nil)
        #expect(try ProgramUnloadRequest(payload: ["name": "syscalls", "program_id": .string(Self.programID)]).programID?.description == Self.programID)
        #expect(throws: JSONError.self) { try ProgramUnloadRequest(payload: [:]) }
        #expect(throws: JSONError.self) { try ProgramUnloadRequest(payload: ["name": "a/b"]) }
    }

    @Test func objectNamesKeepOnlyCharactersTheKernelAllows() {
        #expect(ProgramManager.objectName("xdp-counter.v2") == "xdp_counter_v2")
    }

    @Test func aVerifierRejectionCarriesTheLog() {
        let error = BPFError(code: .load, operation: "bpf_object__load", subject: "bad/read_out_of_bounds", errno: 13,
                             verifierLog: "0: (b7) r1 = 0\n1: (79) r0 = *(u64 *)(r0 +64)\ninvalid access to map value, value_size=8 off=64 size=8\n")
        let text = ProgramManager.describe(error)
        #expect(text.contains("bpf_object__load failed"))
        #expect(text.contains("verifier log:\n0: (b7) r1 = 0"))
        #expect(text.contains("invalid access to map value"))
    }
}
