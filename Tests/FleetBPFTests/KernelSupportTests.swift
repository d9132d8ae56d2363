import Testing
import FleetBPF

@Suite("Kernel support probes")
struct KernelSupportTests {
    @Test func probesProgramTypesTheKernelAccepts() {
        let types = BPFKernelSupport.supportedProgramTypes()
        #expect(types.contains(.xdp))
        #expect(types.contains(.tracepoint))
        #expect(types.contains(.kprobe))
        #expect(types.contains(.rawTracepoint))
        #expect(BPFProgramType.xdp.name == "xdp")
    }

    @Test func probesHelpersPerProgramType() throws {
        let known = BPFHelper.allKnown
        #expect(known.count > 150)
        let lookup = try #require(known.first { $0.name == "map_lookup_elem" })
        #expect(lookup.id == 1)
        let xdp = BPFKernelSupport.supportedHelpers(for: .xdp)
        #expect(xdp.contains(lookup))
        #expect(xdp.contains { $0.name == "xdp_adjust_head" })
        let storeBytes = try #require(known.first { $0.name == "skb_store_bytes" })
        #expect(BPFKernelSupport.supports(helper: storeBytes, for: .schedCLS))
        #expect(!BPFKernelSupport.supports(helper: storeBytes, for: .kprobe))
    }
}
