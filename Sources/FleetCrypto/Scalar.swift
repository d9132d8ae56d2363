/// An integer modulo the group order L = 2^252 + 27742317777372353535851937790883648493, in four
/// little-endian 64-bit words, always below L.
struct Scalar: Sendable, Equatable {
    private(set) var words: (UInt64, UInt64, UInt64, UInt64)

    /// L in little-endian words.
    static let order: (UInt64, UInt64, UInt64, UInt64) = (0x5812_631A_5CF5_D3ED, 0x14DE_F9DE_A2F7_9CD6, 0, 0x1000_0000_0000_0000)

    private init(words: (UInt64, UInt64, UInt64, UInt64)) {
        self.words = words
    }

    /// Decodes a 32-byte little-endian integer, or returns nil unless it is below L (RFC 8032's check on S).
    init?(canonical bytes: some RandomAccessCollection<UInt8>) {
        guard bytes.count == 32 else { return nil }
        let words = (
            loadLittleEndianUInt64(bytes, at: 0), loadLittleEndianUInt64(bytes, at: 8),
            loadLittleEndianUInt64(bytes, at: 16), loadLittleEndianUInt64(bytes, at: 24)
        )
        guard Self.isBelowOrder(words) else { return nil }
        self.init(words: words)
    }

    /// Reduces a 64-byte little-endian integer (a SHA-512 digest) modulo L.
    init(reducing bytes: some RandomAccessCollection<UInt8>) {
        precondition(bytes.count == 64, "a wide scalar is 64 bytes")
        // Long division one bit at a time, most significant first: r stays below L, so 2r + 1 < 2L < 2^254.
        var r: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        for byte in bytes.reversed() {
            for bit in (0..<8).reversed() {
                r = (
                    r.0 &<< 1 | UInt64((byte &>> UInt8(bit)) & 1),
                    r.1 &<< 1 | r.0 &>> 63,
                    r.2 &<< 1 | r.1 &>> 63,
                    r.3 &<< 1 | r.2 &>> 63
                )
                if !Self.isBelowOrder(r) {
                    r = Self.subtractingOrder(r)
                }
            }
        }
        self.init(words: r)
    }

    /// Bit `index` (0 is the least significant) of the integer.
    func bit(_ index: Int) -> Bool {
        let word: UInt64
        switch index / 64 {
        case 0: word = words.0
        case 1: word = words.1
        case 2: word = words.2
        default: word = words.3
        }
        return (word &>> UInt64(index % 64)) & 1 == 1
    }

    /// The 32-byte little-endian encoding.
    var encoded: [UInt8] {
        [words.0, words.1, words.2, words.3].flatMap { word in
            (0..<8).map { UInt8(truncatingIfNeeded: word &>> (8 * $0)) }
        }
    }

    static func == (a: Scalar, b: Scalar) -> Bool {
        a.words == b.words
    }

    private static func isBelowOrder(_ x: (UInt64, UInt64, UInt64, UInt64)) -> Bool {
        let l = order
        if x.3 != l.3 { return x.3 < l.3 }
        if x.2 != l.2 { return x.2 < l.2 }
        if x.1 != l.1 { return x.1 < l.1 }
        return x.0 < l.0
    }

    private static func subtractingOrder(_ x: (UInt64, UInt64, UInt64, UInt64)) -> (UInt64, UInt64, UInt64, UInt64) {
        let l = order
        let (d0, b0) = x.0.subtractingReportingOverflow(l.0)
        let (t1, b1a) = x.1.subtractingReportingOverflow(l.1)
        let (d1, b1b) = t1.subtractingReportingOverflow(b0 ? 1 : 0)
        let (t2, b2a) = x.2.subtractingReportingOverflow(l.2)
        let (d2, b2b) = t2.subtractingReportingOverflow(b1a || b1b ? 1 : 0)
        let d3 = x.3 &- l.3 &- (b2a || b2b ? 1 : 0)
        return (d0, d1, d2, d3)
    }
}
