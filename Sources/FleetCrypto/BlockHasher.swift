/// The compression function and output of a SHA-2 hash: a fixed-size state updated by whole blocks.
protocol BlockCompressor: Sendable {
    /// Bytes in one message block.
    static var blockByteCount: Int { get }
    /// Bytes of the big-endian message length in bits that ends the padding.
    static var lengthByteCount: Int { get }

    /// The initial hash value.
    init()

    /// Absorbs `blocks.count / blockByteCount` whole blocks; `blocks.count` is a multiple of the block size.
    mutating func compress(_ blocks: UnsafeRawBufferPointer)

    /// The state, serialized big-endian.
    var digest: [UInt8] { get }
}

/// Merkle–Damgård buffering and padding around a ``BlockCompressor``.
///
/// Input is compressed straight from the caller's memory in whole blocks; only a partial block is copied.
struct BlockHasher<Compressor: BlockCompressor>: Sendable {
    /// Room for one block of the largest compressor (SHA-512's 128 bytes).
    private typealias Block = (
        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64
    )

    private var compressor = Compressor()
    private var pending: Block = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    private var pendingByteCount = 0
    /// Message length in bytes, modulo 2^64.
    private var totalByteCount: UInt64 = 0

    init() {}

    mutating func update(_ bytes: some Collection<UInt8>) {
        let wasContiguous: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            update(UnsafeRawBufferPointer(buffer))
        }
        if wasContiguous != nil { return }

        // Discontiguous storage: gather it through a small stack buffer.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 512) { chunk in
            var count = 0
            for byte in bytes {
                chunk[count] = byte
                count += 1
                if count == chunk.count {
                    update(UnsafeRawBufferPointer(chunk))
                    count = 0
                }
            }
            update(UnsafeRawBufferPointer(start: chunk.baseAddress, count: count))
        }
    }

    mutating func update(_ input: UnsafeRawBufferPointer) {
        guard !input.isEmpty else { return }
        let blockByteCount = Compressor.blockByteCount
        totalByteCount &+= UInt64(truncatingIfNeeded: input.count)
        var remaining = input

        if pendingByteCount > 0 {
            let taken = min(blockByteCount - pendingByteCount, remaining.count)
            appendPending(UnsafeRawBufferPointer(rebasing: remaining[..<taken]))
            remaining = UnsafeRawBufferPointer(rebasing: remaining[taken...])
            guard pendingByteCount == blockByteCount else { return }
            let block = pending
            withUnsafeBytes(of: block) { compressor.compress(UnsafeRawBufferPointer(rebasing: $0[..<blockByteCount])) }
            pendingByteCount = 0
        }

        let wholeByteCount = remaining.count - remaining.count % blockByteCount
        if wholeByteCount > 0 {
            compressor.compress(UnsafeRawBufferPointer(rebasing: remaining[..<wholeByteCount]))
        }
        appendPending(UnsafeRawBufferPointer(rebasing: remaining[wholeByteCount...]))
    }

    /// Pads the message, compresses the last block or two and returns the digest.
    func finalize() -> [UInt8] {
        let blockByteCount = Compressor.blockByteCount
        let lengthByteCount = Compressor.lengthByteCount
        let bitCountLow = totalByteCount &<< 3
        let bitCountHigh = totalByteCount &>> 61
        let paddedByteCount =
            pendingByteCount + 1 + lengthByteCount <= blockByteCount ? blockByteCount : 2 * blockByteCount
        let block = pending
        let pendingByteCount = self.pendingByteCount
        var compressor = self.compressor

        withUnsafeTemporaryAllocation(byteCount: 2 * MemoryLayout<Block>.size, alignment: 8) { tail in
            tail.initializeMemory(as: UInt8.self, repeating: 0)
            withUnsafeBytes(of: block) { tail.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[..<pendingByteCount])) }
            tail[pendingByteCount] = 0x80
            tail.storeBytes(of: bitCountLow.bigEndian, toByteOffset: paddedByteCount - 8, as: UInt64.self)
            if lengthByteCount == 16 {
                tail.storeBytes(of: bitCountHigh.bigEndian, toByteOffset: paddedByteCount - 16, as: UInt64.self)
            }
            compressor.compress(UnsafeRawBufferPointer(rebasing: tail[..<paddedByteCount]))
        }
        return compressor.digest
    }

    /// Copies `bytes` after the pending ones; the caller keeps the total within one block.
    private mutating func appendPending(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        let offset = pendingByteCount
        withUnsafeMutableBytes(of: &pending) { storage in
            UnsafeMutableRawBufferPointer(rebasing: storage[offset..<(offset + bytes.count)]).copyMemory(from: bytes)
        }
        pendingByteCount += bytes.count
    }
}
