@testable import FleetCrypto
import XCTest

final class FieldElementTests: XCTestCase {
    private let p = hexBytes("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")

    func testCurveConstants() {
        XCTAssertEqual(
            hexString(FieldElement.d.encoded), "a3785913ca4deb75abd841414d0a700098e879777940c78c73fe6f2bee6c0352"
        )
        XCTAssertEqual(
            hexString(FieldElement.sqrtMinusOne.encoded),
            "b0a00e4a271beec478e42fad0618432fa7d7fb3d99004d2b0bdfc14f8024832b"
        )
        XCTAssertTrue(FieldElement.sqrtMinusOne.squared().isEqual(to: -FieldElement.one))
        XCTAssertTrue((FieldElement.d * FieldElement(121_666)).isEqual(to: -FieldElement(121_665)))
    }

    func testEncodingReducesBelowP() {
        XCTAssertEqual(FieldElement(encoding: p).encoded, [UInt8](repeating: 0, count: 32))
        var pPlusOne = p
        pPlusOne[0] += 1
        XCTAssertEqual(FieldElement(encoding: pPlusOne).encoded, [1] + [UInt8](repeating: 0, count: 31))
        XCTAssertEqual(
            FieldElement(encoding: [UInt8](repeating: 0xFF, count: 32)).encoded, [18] + [UInt8](repeating: 0, count: 31)
        )
        var pMinusOne = p
        pMinusOne[0] -= 1
        XCTAssertEqual(FieldElement(encoding: pMinusOne).encoded, pMinusOne)
        XCTAssertEqual((FieldElement(encoding: pMinusOne) + .one).encoded, [UInt8](repeating: 0, count: 32))
        XCTAssertEqual((FieldElement.zero - .one).encoded, pMinusOne)
    }

    func testArithmeticIdentitiesOnRandomElements() {
        var generator = SeededGenerator(seed: 255)
        // Random values, and values near 0, p and 2^255 where carries and the final reduction bite.
        var samples = (0..<60).map { _ in FieldElement(encoding: generator.bytes(32)) }
        for low in [0, 1, 2, 18, 19, 20] as [UInt8] {
            samples.append(FieldElement(encoding: [low] + [UInt8](repeating: 0, count: 31)))
            samples.append(FieldElement(encoding: [0xED &- low] + [UInt8](repeating: 0xFF, count: 30) + [0x7F]))
            samples.append(FieldElement(encoding: [0xFF &- low] + [UInt8](repeating: 0xFF, count: 31)))
        }
        for (index, a) in samples.enumerated() {
            let b = samples[(index * 7 + 3) % samples.count]
            let c = samples[(index * 13 + 5) % samples.count]
            let context = "sample \(index)"
            XCTAssertTrue(((a * b) * c).isEqual(to: a * (b * c)), context)
            XCTAssertTrue((a * (b + c)).isEqual(to: a * b + a * c), context)
            XCTAssertTrue((a * b).isEqual(to: b * a), context)
            XCTAssertTrue(((a - b) + b).isEqual(to: a), context)
            XCTAssertTrue((-(-a)).isEqual(to: a), context)
            XCTAssertTrue((a + a + a).isEqual(to: a * FieldElement(3)), context)
            XCTAssertTrue((a - b).isEqual(to: -(b - a)), context)
            if a.isZero {
                XCTAssertTrue(a.inverted().isZero, context)
            } else {
                XCTAssertTrue((a * a.inverted()).isEqual(to: .one), context)
            }
            // Encoding is canonical: re-decoding the encoding gives the same bytes, below p.
            let encoded = a.encoded
            XCTAssertEqual(FieldElement(encoding: encoded).encoded, encoded, context)
            XCTAssertTrue(encoded.reversed().lexicographicallyPrecedes(p.reversed()), context)
        }
    }

    /// Products checked against integers computed independently (Python's pow and %).
    func testKnownProducts() {
        let a = FieldElement(encoding: hexBytes("0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20"))
        let b = FieldElement(encoding: hexBytes("fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0efeeedecebeae9e8e7e6e5e4e3e2e17f"))
        XCTAssertEqual(hexString((a * b).encoded), "e14904f33a016b9dbdf05b246f6120d1989c01ed83eb48c179973f97c3e92e7d")
        XCTAssertEqual(hexString(a.inverted().encoded), "e5faf5a435158b4cc68d583058fece071d8b8d20ed6abf17651a73c28fec414d")
    }
}
