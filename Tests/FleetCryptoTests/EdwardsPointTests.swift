@testable import FleetCrypto
import XCTest

final class EdwardsPointTests: XCTestCase {
    private let zeroScalar = Scalar(canonical: [UInt8](repeating: 0, count: 32))!

    func testBasePoint() throws {
        XCTAssertEqual(EdwardsPoint.base.encoded, [0x58] + [UInt8](repeating: 0x66, count: 31))
        // y = 4/5 and x even.
        let y = FieldElement(4) * FieldElement(5).inverted()
        XCTAssertEqual(y.encoded, EdwardsPoint.base.encoded)
        XCTAssertFalse(EdwardsPoint.base.x.isNegative)

        // [L - 1]B = -B, so B has order L.
        let orderMinusOne = try XCTUnwrap(
            Scalar(canonical: hexBytes("ecd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010"))
        )
        let product = EdwardsPoint.baseMultiple(orderMinusOne, plus: zeroScalar, times: .identity)
        XCTAssertEqual(product.encoded, (-EdwardsPoint.base).encoded)
        XCTAssertEqual((product + .base).encoded, EdwardsPoint.identity.encoded)
    }

    func testGroupLawOnRandomPoints() throws {
        var generator = SeededGenerator(seed: 19)
        let points = (0..<12).map { _ in
            EdwardsPoint.baseMultiple(Scalar(reducing: generator.bytes(64)), plus: zeroScalar, times: .identity)
        }
        let small = try XCTUnwrap(EdwardsPoint(encoding: [UInt8](repeating: 0, count: 32)))  // order 4
        for (index, p) in points.enumerated() {
            let q = points[(index + 5) % points.count]
            XCTAssertEqual(p.doubled().encoded, (p + p).encoded)
            XCTAssertEqual((p + q).encoded, (q + p).encoded)
            XCTAssertEqual((p + q + small).encoded, (p + (q + small)).encoded)
            XCTAssertEqual((p + .identity).encoded, p.encoded)
            XCTAssertEqual((p + -p).encoded, EdwardsPoint.identity.encoded)
            let decoded = try XCTUnwrap(EdwardsPoint(encoding: p.encoded))
            XCTAssertEqual(decoded.encoded, p.encoded)
            XCTAssertTrue((decoded.x * p.z).isEqual(to: p.x))
        }
    }

    func testDoubleScalarMultiplicationMatchesSeparateOnes() {
        var generator = SeededGenerator(seed: 20)
        for _ in 0..<4 {
            let s = Scalar(reducing: generator.bytes(64))
            let k = Scalar(reducing: generator.bytes(64))
            let a = Scalar(reducing: generator.bytes(64))
            let p = EdwardsPoint.baseMultiple(a, plus: zeroScalar, times: .identity)
            let joint = EdwardsPoint.baseMultiple(s, plus: k, times: p)
            let sB = EdwardsPoint.baseMultiple(s, plus: zeroScalar, times: .identity)
            let kP = EdwardsPoint.baseMultiple(zeroScalar, plus: k, times: p)
            XCTAssertEqual(joint.encoded, (sB + kP).encoded)
        }
    }

    func testDecodingFollowsBoringSSL() {
        // y = 1 with the sign bit set: x = 0 is kept (RFC 8032 would refuse "negative zero").
        XCTAssertEqual(
            EdwardsPoint(encoding: [1] + [UInt8](repeating: 0, count: 30) + [0x80])?.encoded,
            EdwardsPoint.identity.encoded
        )
        // y = p + 1 stands for y = 1.
        XCTAssertEqual(
            EdwardsPoint(encoding: [0xEE] + [UInt8](repeating: 0xFF, count: 30) + [0x7F])?.encoded,
            EdwardsPoint.identity.encoded
        )
        // y = 2 is on no point.
        XCTAssertNil(EdwardsPoint(encoding: [2] + [UInt8](repeating: 0, count: 31)))
        XCTAssertNil(EdwardsPoint(encoding: [UInt8](repeating: 0, count: 31)))
    }
}
