import Testing
@testable import FleetCore

@Suite struct RolloutBatchPlanTests {
    typealias Size = RolloutStrategy.BatchSize

    static func sizes(_ batches: [Size], _ targets: Int) -> [Int] {
        RolloutBatchPlan.ranges(batches, targetCount: targets).map(\.count)
    }

    @Test func percentagesAreSharesReachedSoFarRoundedUp() {
        // 10 % of 15 is 1.5 -> 2 devices; 50 % is 7.5 -> 8 in all, 6 more; the rest is 7.
        #expect(Self.sizes([.percent(10), .percent(50), .percent(100)], 15) == [2, 6, 7])
        #expect(Self.sizes([.count(1), .percent(10), .percent(100)], 200) == [1, 19, 180])
        #expect(RolloutBatchPlan.ranges([.count(1), .percent(10), .percent(100)], targetCount: 200) == [0..<1, 1..<20, 20..<200])
    }

    @Test func aBatchIsNeverEmptyWhileDevicesAreLeft() {
        // The canary already reaches 10 % of 10; the 10 % batch still takes one device.
        #expect(Self.sizes([.count(1), .percent(10), .percent(100)], 10) == [1, 1, 8])
        // 1 % and 2 % of 3 both round to one device in all; the second takes one more anyway.
        #expect(Self.sizes([.percent(1), .percent(2), .percent(100)], 3) == [1, 1, 1])
    }

    @Test func oneDeviceGoesInTheFirstBatchAndTheRestAreEmpty() {
        #expect(Self.sizes([.count(1), .percent(10), .percent(100)], 1) == [1, 0, 0])
        #expect(Self.sizes([.percent(10), .percent(100)], 1) == [1, 0])
        #expect(Self.sizes([.percent(100)], 1) == [1])
    }

    @Test func aCountLargerThanWhatIsLeftTakesWhatIsLeft() {
        #expect(Self.sizes([.count(10), .percent(100)], 5) == [5, 0])
        #expect(Self.sizes([.count(3), .count(3), .count(3)], 4) == [3, 1, 0])
    }

    @Test func theLastBatchTakesEverythingLeftWhateverItSays() {
        #expect(Self.sizes([.count(1), .count(5)], 100) == [1, 99])
        #expect(Self.sizes([.count(3)], 10) == [10])
        #expect(Self.sizes([.percent(10), .percent(20)], 50) == [5, 45])
    }

    @Test func noTargetsMakeEmptyBatches() {
        #expect(RolloutBatchPlan.ranges([.count(1), .percent(50), .percent(100)], targetCount: 0) == [0..<0, 0..<0, 0..<0])
    }

    @Test func batchesAreConsecutiveAndCoverEveryTargetOnce() {
        let strategies: [[Size]] = [
            [.count(1), .percent(10), .percent(100)], [.percent(1), .percent(5), .percent(25), .percent(100)],
            [.count(2), .count(2), .percent(60), .count(1), .percent(90), .count(4)], [.percent(33), .percent(66), .percent(99)],
        ]
        for batches in strategies {
            for targets in 0...120 {
                let ranges = RolloutBatchPlan.ranges(batches, targetCount: targets)
                #expect(ranges.count == batches.count)
                #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == targets)
                #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
                // Empty batches only once every device is placed.
                if let firstEmpty = ranges.firstIndex(where: \.isEmpty) { #expect(ranges[firstEmpty].lowerBound == targets) }
                for (index, batch) in batches.enumerated() {
                    guard case .percent(let percent) = batch, index < batches.count - 1, ranges[index].upperBound < targets else { continue }
                    #expect(ranges[index].upperBound * 100 >= targets * percent, "\(batches) over \(targets): batch \(index) reaches \(percent) %")
                }
            }
        }
    }
}
