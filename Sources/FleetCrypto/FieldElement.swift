/// An element of GF(2^255 - 19) in five 51-bit limbs: `l0 + l1·2^51 + l2·2^102 + l3·2^153 + l4·2^204`.
///
/// Every operation returns limbs below 2^52 and accepts inputs with limbs below 2^52, so
/// products (below 2^110 summed) and carries never overflow. Values need not be fully reduced;
/// ``encoded`` and comparisons reduce them. Not constant time: only public data passes through.
struct FieldElement: Sendable {
    var l0: UInt64, l1: UInt64, l2: UInt64, l3: UInt64, l4: UInt64

    private static let mask51: UInt64 = (1 << 51) - 1

    init(_ l0: UInt64, _ l1: UInt64, _ l2: UInt64, _ l3: UInt64, _ l4: UInt64) {
        (self.l0, self.l1, self.l2, self.l3, self.l4) = (l0, l1, l2, l3, l4)
    }

    /// A small constant.
    init(_ value: UInt32) {
        self.init(UInt64(value), 0, 0, 0, 0)
    }

    static let zero = FieldElement(0)
    static let one = FieldElement(1)

    /// Decodes 32 little-endian bytes, ignoring bit 255. Values from p to 2^255 - 1 are accepted
    /// and stand for their residue, as in BoringSSL's `fe_frombytes`.
    init(encoding bytes: some RandomAccessCollection<UInt8>) {
        precondition(bytes.count == 32, "a field element is encoded in 32 bytes")
        let w0 = loadLittleEndianUInt64(bytes, at: 0), w1 = loadLittleEndianUInt64(bytes, at: 8)
        let w2 = loadLittleEndianUInt64(bytes, at: 16), w3 = loadLittleEndianUInt64(bytes, at: 24)
        let mask = Self.mask51
        self.init(
            w0 & mask,
            (w0 &>> 51 | w1 &<< 13) & mask,
            (w1 &>> 38 | w2 &<< 26) & mask,
            (w2 &>> 25 | w3 &<< 39) & mask,
            (w3 &>> 12) & mask
        )
    }

    /// The canonical 32-byte little-endian encoding (the value reduced below p; bit 255 clear).
    var encoded: [UInt8] {
        let mask = Self.mask51
        var t = self
        t.carry()
        t.carry()
        // Now 0 <= t < 2^255 with 51-bit limbs. t + 19 reaches 2^255 exactly when t >= p, and wraps to
        // t - p + 19; adding 2^255 - 19 and dropping bit 255 then leaves t mod p.
        t.l0 &+= 19
        t.carry()
        t.l0 &+= mask &+ 1 &- 19
        t.l1 &+= mask
        t.l2 &+= mask
        t.l3 &+= mask
        t.l4 &+= mask
        t.l1 &+= t.l0 &>> 51
        t.l0 &= mask
        t.l2 &+= t.l1 &>> 51
        t.l1 &= mask
        t.l3 &+= t.l2 &>> 51
        t.l2 &= mask
        t.l4 &+= t.l3 &>> 51
        t.l3 &= mask
        t.l4 &= mask

        let words = [
            t.l0 | t.l1 &<< 51,
            t.l1 &>> 13 | t.l2 &<< 38,
            t.l2 &>> 26 | t.l3 &<< 25,
            t.l3 &>> 39 | t.l4 &<< 12,
        ]
        return words.flatMap { word in (0..<8).map { UInt8(truncatingIfNeeded: word &>> (8 * $0)) } }
    }

    /// Whether the canonical value is odd (RFC 8032's "negative" x).
    var isNegative: Bool { encoded[0] & 1 == 1 }

    var isZero: Bool { encoded.allSatisfy { $0 == 0 } }

    static func + (a: FieldElement, b: FieldElement) -> FieldElement {
        var sum = FieldElement(a.l0 &+ b.l0, a.l1 &+ b.l1, a.l2 &+ b.l2, a.l3 &+ b.l3, a.l4 &+ b.l4)
        sum.carry()
        return sum
    }

    static func - (a: FieldElement, b: FieldElement) -> FieldElement {
        // Add 4p first so that no limb goes below zero (b's limbs are below 2^52 < 4p's).
        var difference = FieldElement(
            a.l0 &+ 0x1F_FFFF_FFFF_FFB4 &- b.l0,
            a.l1 &+ 0x1F_FFFF_FFFF_FFFC &- b.l1,
            a.l2 &+ 0x1F_FFFF_FFFF_FFFC &- b.l2,
            a.l3 &+ 0x1F_FFFF_FFFF_FFFC &- b.l3,
            a.l4 &+ 0x1F_FFFF_FFFF_FFFC &- b.l4
        )
        difference.carry()
        return difference
    }

    static prefix func - (a: FieldElement) -> FieldElement {
        zero - a
    }

    static func * (a: FieldElement, b: FieldElement) -> FieldElement {
        // Limb products at or above 2^255 wrap around multiplied by 19 (2^255 ≡ 19).
        let b1 = b.l1 &* 19, b2 = b.l2 &* 19, b3 = b.l3 &* 19, b4 = b.l4 &* 19

        var r0 = Accumulator(a.l0, b.l0)
        r0.add(a.l1, b4); r0.add(a.l2, b3); r0.add(a.l3, b2); r0.add(a.l4, b1)
        var r1 = Accumulator(a.l0, b.l1)
        r1.add(a.l1, b.l0); r1.add(a.l2, b4); r1.add(a.l3, b3); r1.add(a.l4, b2)
        var r2 = Accumulator(a.l0, b.l2)
        r2.add(a.l1, b.l1); r2.add(a.l2, b.l0); r2.add(a.l3, b4); r2.add(a.l4, b3)
        var r3 = Accumulator(a.l0, b.l3)
        r3.add(a.l1, b.l2); r3.add(a.l2, b.l1); r3.add(a.l3, b.l0); r3.add(a.l4, b4)
        var r4 = Accumulator(a.l0, b.l4)
        r4.add(a.l1, b.l3); r4.add(a.l2, b.l2); r4.add(a.l3, b.l1); r4.add(a.l4, b.l0)

        let mask = Self.mask51
        var carry = r0.high51
        let l0 = r0.low & mask
        r1.add(carry)
        carry = r1.high51
        let l1 = r1.low & mask
        r2.add(carry)
        carry = r2.high51
        let l2 = r2.low & mask
        r3.add(carry)
        carry = r3.high51
        let l3 = r3.low & mask
        r4.add(carry)
        carry = r4.high51
        let l4 = r4.low & mask

        // carry < 2^56, so this stays below 2^61.
        let wrapped = l0 &+ carry &* 19
        return FieldElement(wrapped & mask, l1 &+ wrapped &>> 51, l2, l3, l4)
    }

    func squared() -> FieldElement {
        self * self
    }

    /// `self` raised to a 256-bit exponent given as four little-endian words (square and multiply).
    func raised(to exponent: (UInt64, UInt64, UInt64, UInt64)) -> FieldElement {
        var result = FieldElement.one
        for word in [exponent.3, exponent.2, exponent.1, exponent.0] {
            for bit in (0..<64).reversed() {
                result = result.squared()
                if (word &>> UInt64(bit)) & 1 == 1 {
                    result = result * self
                }
            }
        }
        return result
    }

    /// The multiplicative inverse, `self^(p-2)`; zero for zero.
    func inverted() -> FieldElement {
        raised(to: (0xFFFF_FFFF_FFFF_FFEB, .max, .max, 0x7FFF_FFFF_FFFF_FFFF))
    }

    /// `self^((p-5)/8) = self^(2^252 - 3)`, the core of the square root in point decompression.
    func raisedToPMinus5Over8() -> FieldElement {
        raised(to: (0xFFFF_FFFF_FFFF_FFFD, .max, .max, 0x0FFF_FFFF_FFFF_FFFF))
    }

    /// Whether both stand for the same residue.
    func isEqual(to other: FieldElement) -> Bool {
        encoded == other.encoded
    }

    /// -121665 / 121666, the Edwards curve constant d.
    static let d = -FieldElement(121_665) * FieldElement(121_666).inverted()

    /// 2·d, used by point addition.
    static let twoD = d + d

    /// 2^((p-1)/4), a square root of -1.
    static let sqrtMinusOne = FieldElement(2).raised(to: (0xFFFF_FFFF_FFFF_FFFB, .max, .max, 0x1FFF_FFFF_FFFF_FFFF))

    /// Propagates carries so that l1…l4 < 2^51 and l0 < 2^52; limbs must be below 2^63.
    private mutating func carry() {
        let mask = Self.mask51
        l1 &+= l0 &>> 51
        l0 &= mask
        l2 &+= l1 &>> 51
        l1 &= mask
        l3 &+= l2 &>> 51
        l2 &= mask
        l4 &+= l3 &>> 51
        l3 &= mask
        l0 &+= (l4 &>> 51) &* 19
        l4 &= mask
    }
}

/// A 128-bit sum of 64×64-bit products.
private struct Accumulator {
    var high: UInt64
    var low: UInt64

    @inline(__always)
    init(_ a: UInt64, _ b: UInt64) {
        (high, low) = a.multipliedFullWidth(by: b)
    }

    @inline(__always)
    mutating func add(_ a: UInt64, _ b: UInt64) {
        let product = a.multipliedFullWidth(by: b)
        let (sum, overflow) = low.addingReportingOverflow(product.low)
        low = sum
        high = high &+ product.high &+ (overflow ? 1 : 0)
    }

    @inline(__always)
    mutating func add(_ value: UInt64) {
        let (sum, overflow) = low.addingReportingOverflow(value)
        low = sum
        high &+= overflow ? 1 : 0
    }

    /// The sum shifted right by 51 bits; the sum is below 2^115, so this fits.
    var high51: UInt64 { high &<< 13 | low &>> 51 }
}

/// The little-endian 64-bit word at `bytes[offset...]`.
func loadLittleEndianUInt64(_ bytes: some RandomAccessCollection<UInt8>, at offset: Int) -> UInt64 {
    var word: UInt64 = 0
    for i in (0..<8).reversed() {
        word = word &<< 8 | UInt64(bytes[bytes.index(bytes.startIndex, offsetBy: offset + i)])
    }
    return word
}
