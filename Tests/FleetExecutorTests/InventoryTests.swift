import Testing
import FleetJSON
@testable import FleetExecutor

/// The inventory is probed on this machine's real kernel.
@Suite struct InventoryTests {
    private func names(_ json: JSON?) -> Set<String> {
        Set((json?.arrayValue ?? []).compactMap(\.stringValue))
    }

    @Test func describesTheMachineAndTheKernel() throws {
        let inventory = Inventory.probe()
        #expect(inventory["arch"]?.stringValue?.isEmpty == false)
        #expect(inventory["kernel"]?.stringValue?.isEmpty == false)
        #expect(inventory["btf"] == .bool(true), "this machine has /sys/kernel/btf/vmlinux")
        #expect((inventory["cpus"]?.int64Value ?? 0) >= 1)
        #expect((inventory["memory_bytes"]?.int64Value ?? 0) > 0)
        #expect(inventory["executor_version"]?.stringValue == Inventory.executorVersion)
        #expect(names(inventory["bpf_program_types"]).isSuperset(of: ["xdp", "tracepoint", "kprobe", "raw_tracepoint", "sched_cls"]))
    }

    @Test func listsTheHelpersEachAttachableProgramTypeMayCall() throws {
        let helpers = try #require(Inventory.probe()["bpf_helpers"]?.objectValue)
        let xdp = names(helpers["xdp"]), classifier = names(helpers["sched_cls"]), kprobe = names(helpers["kprobe"])
        #expect(xdp.isSuperset(of: ["map_lookup_elem", "xdp_adjust_head", "redirect"]))
        #expect(classifier.contains("skb_store_bytes"))
        #expect(!kprobe.contains("skb_store_bytes"), "a kprobe may not write packets")
        #expect(!xdp.contains("skb_store_bytes"))
        #expect(names(helpers["tracepoint"]).isSuperset(of: ["map_lookup_elem", "ringbuf_output", "get_current_pid_tgid"]))
        #expect(Set(helpers.keys).isSubset(of: Set(Inventory.helperProgramTypes.map(\.description))))
    }

    @Test func kernelFactsAreProbedOnce() {
        #expect(Inventory.probe() == Inventory.probe())
    }
}
