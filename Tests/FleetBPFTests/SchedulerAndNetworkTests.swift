import Foundation
import Testing
import FleetBPF

@Suite("runq_latency and tcp_retransmit")
struct SchedulerAndNetworkTests {
    @Test func runQueueHistogramFills() throws {
        let object = try TestObjects.load("runq_latency")
        let links = try object.attachAll()
        #expect(links.keys.sorted() == ["on_switch", "on_wakeup", "on_wakeup_new"])
        let histogram = try object.map(named: "runq_hist")
        let filled = try eventually {
            for _ in 0..<20 { usleep(1000) }
            return try histogram.log2Histogram().reduce(0, +) >= 20
        }
        #expect(filled)
        #expect(try histogram.log2Histogram().count == 32)
    }

    @Test func tcpRetransmitLoadsAndAttaches() throws {
        let object = try TestObjects.load("tcp_retransmit")
        let links = try object.attachAll()
        #expect(links.keys.sorted() == ["count_retransmit"])
        let total = try #require(try object.map(named: "retransmits").u64Counter(forKey: 0))
        let byFamily = try object.map(named: "retransmits_by_family").u64Counters()
        #expect(byFamily.values.reduce(0, +) <= total + 1)
        #expect(try links["count_retransmit"]?.id != nil)
    }
}
