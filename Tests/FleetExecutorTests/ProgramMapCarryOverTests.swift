import FleetBPF
import FleetJSON
import Testing
@testable import FleetExecutor

@Suite struct ProgramMapCarryOverTests {
    let counts = BPFMapLayout(type: .hash, keySize: 4, valueSize: 8, maxEntries: 1024)
    let total = BPFMapLayout(type: .array, keySize: 4, valueSize: 8, maxEntries: 1)

    @Test func sameNameAndLayoutIsCarriedOver() {
        let plan = ProgramMapCarryOver(old: ["syscall_counts": counts, "syscall_total": total],
                                       new: ["syscall_total": total, "syscall_counts": counts])
        #expect(plan.carried == ["syscall_counts", "syscall_total"])
        #expect(plan.reset == [])
    }

    @Test func anyLayoutChangeResetsTheMap() {
        let old = ["a": counts, "b": counts, "c": counts, "d": counts]
        let new = [
            "a": BPFMapLayout(type: .perCPUHash, keySize: 4, valueSize: 8, maxEntries: 1024),
            "b": BPFMapLayout(type: .hash, keySize: 8, valueSize: 8, maxEntries: 1024),
            "c": BPFMapLayout(type: .hash, keySize: 4, valueSize: 16, maxEntries: 1024),
            "d": BPFMapLayout(type: .hash, keySize: 4, valueSize: 8, maxEntries: 4096),
        ]
        let plan = ProgramMapCarryOver(old: old, new: new)
        #expect(plan.carried == [])
        #expect(plan.reset == ["a", "b", "c", "d"])
    }

    @Test func mapsOnOneSideOnlyAreNeitherCarriedNorReset() {
        let plan = ProgramMapCarryOver(old: ["gone": counts, "kept": total], new: ["kept": total, "added": counts])
        #expect(plan.carried == ["kept"])
        #expect(plan.reset == [])
    }

    @Test func internalMapsBelongToTheNewCode() {
        let data = BPFMapLayout(type: .array, keySize: 4, valueSize: 4, maxEntries: 1)
        let libbpfMaps = ["syscall.rodata": data, "syscall.bss": data, "syscall.data": data]
        let plan = ProgramMapCarryOver(old: libbpfMaps.merging(["syscall_total": total]) { first, _ in first },
                                       new: libbpfMaps.merging(["syscall_total": total]) { first, _ in first })
        #expect(plan.carried == ["syscall_total"])
        #expect(plan.reset == [])
    }

    @Test func resultListsBothSides() {
        let plan = ProgramMapCarryOver(old: ["syscall_counts": counts, "syscall_total": total],
                                       new: ["syscall_counts": counts, "syscall_total": counts])
        #expect(plan.resultMembers == ["maps_carried_over": ["syscall_counts"], "maps_reset": ["syscall_total"]])
    }
}
