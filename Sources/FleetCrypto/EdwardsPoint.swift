/// A point of the twisted Edwards curve -x² + y² = 1 + d·x²·y² over GF(2^255 - 19), in extended
/// coordinates (X : Y : Z : T) with x = X/Z, y = Y/Z and x·y = T/Z.
///
/// The addition and doubling formulas (Hisil–Wong–Carter–Dawson 2008, a = -1) are complete on this
/// curve, so they hold for the identity and for points of small order too. Not constant time.
struct EdwardsPoint: Sendable {
    var x: FieldElement
    var y: FieldElement
    var z: FieldElement
    var t: FieldElement

    static let identity = EdwardsPoint(x: .zero, y: .one, z: .one, t: .zero)

    /// The base point B of Ed25519 (y = 4/5, x even).
    static let base: EdwardsPoint = {
        guard let point = EdwardsPoint(encoding: [0x58] + [UInt8](repeating: 0x66, count: 31)) else {
            preconditionFailure("the Ed25519 base point encoding decodes")
        }
        return point
    }()

    init(x: FieldElement, y: FieldElement, z: FieldElement, t: FieldElement) {
        (self.x, self.y, self.z, self.t) = (x, y, z, t)
    }

    /// Decodes a 32-byte point encoding (RFC 8032, section 5.1.3) as BoringSSL's
    /// `x25519_ge_frombytes_vartime` does, or returns nil if no curve point has that y and sign.
    ///
    /// Like BoringSSL, and unlike a strict reading of the RFC, this accepts a y at or above p (standing for
    /// y - p) and x = 0 with the sign bit set (standing for x = 0).
    init?(encoding bytes: some RandomAccessCollection<UInt8>) {
        guard bytes.count == 32 else { return nil }
        let signBit = bytes[bytes.index(bytes.startIndex, offsetBy: 31)] &>> 7 == 1
        let y = FieldElement(encoding: bytes)
        let ySquared = y.squared()
        let u = ySquared - .one  // x² = u / v
        let v = FieldElement.d * ySquared + .one
        // Candidate root x = u·(uv)^((p-5)/8); then v·x² is u, -u, or u/v has no square root.
        var x = u * (u * v).raisedToPMinus5Over8()
        let vxSquared = v * x.squared()
        if !(vxSquared - u).isZero {
            guard (vxSquared + u).isZero else { return nil }
            x = x * FieldElement.sqrtMinusOne
        }
        if x.isNegative != signBit {
            x = -x
        }
        self.init(x: x, y: y, z: .one, t: x * y)
    }

    /// The canonical 32-byte encoding: y reduced below p, with x's parity in bit 255.
    var encoded: [UInt8] {
        let zInverse = z.inverted()
        var bytes = (y * zInverse).encoded
        if (x * zInverse).isNegative {
            bytes[31] |= 0x80
        }
        return bytes
    }

    static prefix func - (point: EdwardsPoint) -> EdwardsPoint {
        EdwardsPoint(x: -point.x, y: point.y, z: point.z, t: -point.t)
    }

    /// "add-2008-hwcd-3".
    static func + (p: EdwardsPoint, q: EdwardsPoint) -> EdwardsPoint {
        let a = (p.y - p.x) * (q.y - q.x)
        let b = (p.y + p.x) * (q.y + q.x)
        let c = p.t * FieldElement.twoD * q.t
        let zz = p.z * q.z
        let d = zz + zz
        let e = b - a, f = d - c, g = d + c, h = b + a
        return EdwardsPoint(x: e * f, y: g * h, z: f * g, t: e * h)
    }

    /// "dbl-2008-hwcd" with a = -1.
    func doubled() -> EdwardsPoint {
        let a = x.squared()
        let b = y.squared()
        let zSquared = z.squared()
        let c = zSquared + zSquared
        let e = (x + y).squared() - a - b
        let g = b - a  // a·A + B with a = -1
        let f = g - c
        let h = -a - b  // a·A - B
        return EdwardsPoint(x: e * f, y: g * h, z: f * g, t: e * h)
    }

    /// `[s]B + [k]P`, by one joint double-and-add pass over both scalars (Straus–Shamir). Variable time.
    static func baseMultiple(_ s: Scalar, plus k: Scalar, times p: EdwardsPoint) -> EdwardsPoint {
        let sum = base + p
        var result = identity
        // Scalars are below L < 2^253.
        for index in (0..<253).reversed() {
            result = result.doubled()
            switch (s.bit(index), k.bit(index)) {
            case (true, true): result = result + sum
            case (true, false): result = result + base
            case (false, true): result = result + p
            case (false, false): break
            }
        }
        return result
    }
}
