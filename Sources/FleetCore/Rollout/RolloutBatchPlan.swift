/// Which of a rollout's frozen, ordered targets belong to which batch.
///
/// Batch `k` is the range `ranges[k]` of the target list, so the split depends only on the strategy and the
/// number of targets: the server keeps the targets in a stable order (as frozen at start) and any replica
/// computes the same batches.
///
/// - A `count` batch takes that many devices more.
/// - A `percent` batch takes the devices needed to reach that share of all targets, rounded up
///   (`ceil(targets * percent / 100)`), so the share reached is never below the one asked for.
/// - A batch never comes out empty while devices are left: when earlier batches already reach a percentage,
///   it still takes one device.
/// - The last batch takes every device left, whatever it says.
/// - Once every device is placed, the remaining batches are empty; there is one range per strategy batch,
///   so batch numbers stay those of the strategy.
public enum RolloutBatchPlan {
    /// - Returns: one range per batch of `batches`, consecutive, together covering `0..<targetCount`.
    public static func ranges(_ batches: [RolloutStrategy.BatchSize], targetCount: Int) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(batches.count)
        var placed = 0
        for (index, batch) in batches.enumerated() {
            let left = targetCount - placed
            let size: Int
            if index == batches.count - 1 {
                size = left
            } else {
                let wanted = switch batch {
                case .count(let count): count
                case .percent(let percent): (targetCount * percent + 99) / 100 - placed
                }
                size = Swift.min(left, Swift.max(wanted, 1))
            }
            ranges.append(placed..<(placed + size))
            placed += size
        }
        return ranges
    }
}
