@testable import FleetCrypto
import XCTest

/// Keys with a small-order component, where cofactorless and cofactored verification part ways, and
/// non-canonical encodings, where RFC 8032 and BoringSSL part ways. The verdicts must be BoringSSL's.
final class Ed25519TorsionTests: XCTestCase {
    private let zeroScalar = Scalar(canonical: [UInt8](repeating: 0, count: 32))!

    /// Encodings of points of order 1, 2, 4 and 8, some of them non-canonical.
    private let smallOrderKeys: [(hex: String, order: Int)] = [
        ("0100000000000000000000000000000000000000000000000000000000000000", 1),
        ("0100000000000000000000000000000000000000000000000000000000000080", 1),  // x = "-0"
        ("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", 1),  // y = p + 1
        ("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", 2),
        ("0000000000000000000000000000000000000000000000000000000000000000", 4),
        ("0000000000000000000000000000000000000000000000000000000000000080", 4),
        ("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", 4),  // y = p
        ("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a", 8),
        ("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa", 8),
    ]

    func testSmallOrderKeysHaveTheirOrder() throws {
        for (hex, order) in smallOrderKeys {
            let point = try XCTUnwrap(EdwardsPoint(encoding: hexBytes(hex)), hex)
            var multiple = point
            var found = 1
            while multiple.encoded != EdwardsPoint.identity.encoded && found <= 8 {
                multiple = multiple + point
                found += 1
            }
            XCTAssertEqual(found, order, hex)
        }
    }

    /// With R = [S]B, the equation [S]B - [k]T = R holds exactly when [k]T is the identity, i.e. when the
    /// order of T divides k (reduced mod L, as BoringSSL reduces it).
    func testSmallOrderKeysAgreeWithSwiftCrypto() {
        var generator = SeededGenerator(seed: 8)
        for (hex, order) in smallOrderKeys {
            let key = hexBytes(hex)
            var accepted = 0
            for round in 0..<24 {
                let s = Scalar(reducing: generator.bytes(64))
                let r = EdwardsPoint.baseMultiple(s, plus: zeroScalar, times: .identity).encoded
                let message = generator.bytes(32)
                let k = challenge(r, key, message)
                let expected = Int(k.encoded[0]) % order == 0
                assertAgreement(key, r + s.encoded, message, "\(hex) round \(round)", expected: expected)
                if expected { accepted += 1 }
            }
            if order > 1 {
                XCTAssertTrue(accepted < 24, "\(hex): a cofactored check would accept every round")
            }
        }
    }

    /// A: a full-order point plus one of order 8. A signature made with A's discrete log verifies
    /// cofactorlessly only when 8 divides k.
    func testMixedOrderKeysAgreeWithSwiftCrypto() throws {
        var generator = SeededGenerator(seed: 88)
        let torsion = try XCTUnwrap(EdwardsPoint(encoding: hexBytes(smallOrderKeys[7].hex)))
        var accepted = 0
        for round in 0..<64 {
            let secret = Scalar(reducing: generator.bytes(64))
            let publicPoint = EdwardsPoint.baseMultiple(secret, plus: zeroScalar, times: .identity) + torsion
            let key = publicPoint.encoded
            let message = generator.bytes(32)
            let nonce = Scalar(reducing: generator.bytes(64))
            let r = EdwardsPoint.baseMultiple(nonce, plus: zeroScalar, times: .identity).encoded
            let k = challenge(r, key, message)
            let s = Scalar(reducing: multiplyAdd(k, secret, nonce))
            let expected = k.encoded[0] % 8 == 0
            assertAgreement(key, r + s.encoded, message, "round \(round)", expected: expected)
            if expected { accepted += 1 }
        }
        XCTAssertTrue((1..<64).contains(accepted), "\(accepted) of 64 accepted")
    }

    /// R is compared byte for byte, so a non-canonical R never matches.
    func testNonCanonicalREncodingIsRejected() {
        let identityKey = hexBytes("0100000000000000000000000000000000000000000000000000000000000000")
        let zeroS = [UInt8](repeating: 0, count: 32)
        let message = Array("edge".utf8)
        assertAgreement(identityKey, identityKey + zeroS, message, "canonical identity R", expected: true)
        let nonCanonicalIdentity = hexBytes("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")
        assertAgreement(identityKey, nonCanonicalIdentity + zeroS, message, "R = p + 1", expected: false)
        let negativeZeroIdentity = hexBytes("0100000000000000000000000000000000000000000000000000000000000080")
        assertAgreement(identityKey, negativeZeroIdentity + zeroS, message, "R with x = -0", expected: false)
    }

    /// k = SHA-512(R ‖ A ‖ M) mod L.
    private func challenge(_ r: [UInt8], _ key: [UInt8], _ message: [UInt8]) -> Scalar {
        Scalar(reducing: FleetCrypto.SHA512.hash(r + key + message))
    }

    /// x·y + z as a 64-byte little-endian integer.
    private func multiplyAdd(_ x: Scalar, _ y: Scalar, _ z: Scalar) -> [UInt8] {
        func words(_ scalar: Scalar) -> [UInt64] {
            let bytes = scalar.encoded
            return (0..<4).map { i in (0..<8).reduce(0) { $0 | UInt64(bytes[8 * i + $1]) << (8 * $1) } }
        }
        let (xw, yw, zw) = (words(x), words(y), words(z))
        var result = [UInt64](repeating: 0, count: 8)
        for i in 0..<4 {
            var carry: UInt64 = 0
            for j in 0..<4 {
                let (high, low) = xw[i].multipliedFullWidth(by: yw[j])
                let (sum, overflow1) = low.addingReportingOverflow(result[i + j])
                let (total, overflow2) = sum.addingReportingOverflow(carry)
                result[i + j] = total
                carry = high + (overflow1 ? 1 : 0) + (overflow2 ? 1 : 0)
            }
            result[i + 4] = carry
        }
        var carry: UInt64 = 0
        for i in 0..<8 {
            let (sum, overflow1) = result[i].addingReportingOverflow(i < 4 ? zw[i] : 0)
            let (total, overflow2) = sum.addingReportingOverflow(carry)
            result[i] = total
            carry = (overflow1 ? 1 : 0) + (overflow2 ? 1 : 0)
        }
        return result.flatMap { word in (0..<8).map { UInt8(truncatingIfNeeded: word >> (8 * $0)) } }
    }
}
