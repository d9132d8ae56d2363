/// Assigns arena offsets to the values of a plan so that values whose lifetimes do not overlap share
/// memory. Lifetimes are step intervals: a value is written at `firstStep` and read up to `lastStep`.
struct MemoryPlanner {
    struct Interval {
        var firstStep: Int
        var lastStep: Int
        var byteCount: Int
    }

    static let alignment = 64

    /// Offsets per interval (same order) and the arena size. Greedy best fit over a free list, in
    /// order of first use; a value's block is released after its last reading step.
    static func assign(_ intervals: [Interval]) -> (offsets: [Int], arenaSize: Int) {
        var offsets = [Int](repeating: 0, count: intervals.count)
        var free: [(offset: Int, size: Int)] = []
        var live: [(lastStep: Int, offset: Int, size: Int)] = []
        var end = 0
        let order = intervals.indices.sorted {
            (intervals[$0].firstStep, $0) < (intervals[$1].firstStep, $1)
        }
        for index in order {
            let interval = intervals[index]
            // Release blocks whose last reader ran before this value is written.
            var stillLive: [(lastStep: Int, offset: Int, size: Int)] = []
            for block in live {
                if block.lastStep < interval.firstStep { release(&free, offset: block.offset, size: block.size) }
                else { stillLive.append(block) }
            }
            live = stillLive
            let size = max(round(interval.byteCount), alignment)
            var chosen: Int?
            for (position, block) in free.enumerated() where block.size >= size {
                if let best = chosen, free[best].size <= block.size { continue }
                chosen = position
            }
            let offset: Int
            if let position = chosen {
                offset = free[position].offset
                if free[position].size == size { free.remove(at: position) }
                else { free[position] = (offset + size, free[position].size - size) }
            } else if let last = free.last, last.offset + last.size == end {
                // Grow the free block at the end of the arena instead of leaving it unused.
                offset = last.offset
                free.removeLast()
                end = offset + size
            } else {
                offset = end
                end += size
            }
            offsets[index] = offset
            live.append((interval.lastStep, offset, size))
        }
        return (offsets, end)
    }

    private static func round(_ bytes: Int) -> Int { (bytes + alignment - 1) / alignment * alignment }

    /// Inserts a block into the sorted free list, merging it with adjacent blocks.
    private static func release(_ free: inout [(offset: Int, size: Int)], offset: Int, size: Int) {
        var position = free.firstIndex { $0.offset > offset } ?? free.count
        free.insert((offset, size), at: position)
        if position + 1 < free.count, free[position].offset + free[position].size == free[position + 1].offset {
            free[position].size += free[position + 1].size
            free.remove(at: position + 1)
        }
        if position > 0, free[position - 1].offset + free[position - 1].size == free[position].offset {
            free[position - 1].size += free[position].size
            free.remove(at: position)
            position -= 1
        }
    }
}
