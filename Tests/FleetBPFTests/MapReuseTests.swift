import Foundation
import Testing
import FleetBPF

@Suite("Map reuse")
struct MapReuseTests {
    private static let mapNames = ["syscall_counts", "syscall_total"]

    /// syscall_count for this process, opened but not loaded.
    private func openCounter() throws -> BPFObjectFile {
        var file = try TestObjects.open("syscall_count")
        try file.setRodata("target_pid", to: .uint(UInt64(getpid())))
        return file
    }

    @Test func replacementThatReusesTheMapsKeepsCountingFromTheOldValue() throws {
        var first: BPFObject? = try openCounter().load()
        let firstLink = try first!.program(named: "count_syscalls").attach()
        makeSyscalls(1000)
        let oldTotal = try first!.map(named: "syscall_total")
        let oldID = oldTotal.id
        try #require(try oldTotal.u64Counter(forKey: 0) ?? 0 >= 1000)

        var file = try openCounter()
        for name in Self.mapNames { try file.reuseMap(named: name, from: first!.map(named: name)) }
        let second = try file.load()
        let secondLink = try second.program(named: "count_syscalls").attach()
        defer { withExtendedLifetime(secondLink) {} }
        try firstLink.detach()
        first = nil

        let total = try second.map(named: "syscall_total")
        #expect(total.id == oldID, "the new object uses the old kernel map")
        let carried = try #require(try total.u64Counter(forKey: 0))
        #expect(carried >= 1000, "the count did not restart")
        #expect(try second.map(named: "syscall_counts").u64Counter(forKey: getpidSyscall) ?? 0 >= 1000)
        makeSyscalls(500)
        #expect(try total.u64Counter(forKey: 0) ?? 0 >= carried + 500, "the new program adds to the carried count")
    }

    @Test func mapAdoptedFromAPinCanBeReused() throws {
        let directory = try BPFPinDirectory(name: "test-\(TestObjects.uniqueSuffix())")
        defer { try? directory.remove() }
        do {
            let object = try openCounter().load()
            let link = try object.program(named: "count_syscalls").attach()
            try object.pin(in: directory, links: ["count_syscalls": link])
        }
        makeSyscalls(1000)

        let adopted = try BPFPinnedObject(adopting: directory)
        var file = try openCounter()
        for name in Self.mapNames { try file.reuseMap(named: name, from: adopted.map(named: name)) }
        let second = try file.load()
        let link = try second.program(named: "count_syscalls").attach()
        defer { withExtendedLifetime(link) {} }
        let pinInode = try FileManager.default.attributesOfItem(atPath: directory.mapPath("syscall_total"))[.systemFileNumber] as? Int
        try second.pin(in: directory, links: ["count_syscalls": link])
        let total = try second.map(named: "syscall_total")
        #expect(total.id == (try adopted.map(named: "syscall_total").id))
        #expect(try FileManager.default.attributesOfItem(atPath: directory.mapPath("syscall_total"))[.systemFileNumber] as? Int == pinInode,
                "the pin of a reused map is left in place")
        #expect(try BPFPinnedObject(adopting: directory).map(named: "syscall_total").id == total.id)

        // The old program is gone with its (now replaced) pins; the carried count keeps rising.
        let carried = try #require(try total.u64Counter(forKey: 0))
        #expect(carried >= 1000)
        makeSyscalls(500)
        #expect(try total.u64Counter(forKey: 0) ?? 0 >= carried + 500)
        withExtendedLifetime(adopted) {}
    }

    @Test func mapWithAnotherLayoutIsRefused() throws {
        let first = try TestObjects.load("syscall_count")
        let array = try first.map(named: "syscall_total")
        var file = try openCounter()
        let error = try #require(throws: BPFError.self) { try file.reuseMap(named: "syscall_counts", from: array) }
        #expect(error.code == .layoutMismatch)
        #expect(error.description.contains("type array vs hash"), "\(error)")
        #expect(error.description.contains("max entries 1 vs 1024"), "\(error)")

        let missing = try #require(throws: BPFError.self) { try file.reuseMap(named: "no_such_map", from: array) }
        #expect(missing.code == .notFound)

        // Refusals change nothing: the object still loads with maps of its own.
        let second = try file.load()
        #expect(try second.map(named: "syscall_counts").type == .hash)
        #expect(try second.map(named: "syscall_total").id != array.id)
    }

    @Test func layoutsCompareTypeSizesAndCapacity() {
        let counts = BPFMapLayout(type: .hash, keySize: 4, valueSize: 8, maxEntries: 1024)
        #expect(counts.differences(from: counts).isEmpty)
        #expect(counts.differences(from: BPFMapLayout(type: .perCPUHash, keySize: 4, valueSize: 16, maxEntries: 1024))
                == ["type hash vs percpu_hash", "value size 8 vs 16"])
        #expect(counts.differences(from: BPFMapLayout(type: .hash, keySize: 8, valueSize: 8, maxEntries: 2048))
                == ["key size 4 vs 8", "max entries 1024 vs 2048"])
    }
}
