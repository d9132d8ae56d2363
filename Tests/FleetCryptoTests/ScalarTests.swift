@testable import FleetCrypto
import XCTest

final class ScalarTests: XCTestCase {
    private let order = hexBytes("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010")

    func testOnlyValuesBelowTheOrderAreCanonical() {
        var belowOrder = order
        belowOrder[0] -= 1
        XCTAssertEqual(Scalar(canonical: belowOrder)?.encoded, belowOrder)
        XCTAssertNotNil(Scalar(canonical: [UInt8](repeating: 0, count: 32)))
        XCTAssertNil(Scalar(canonical: order))
        var aboveOrder = order
        aboveOrder[0] += 1
        XCTAssertNil(Scalar(canonical: aboveOrder))
        XCTAssertNil(Scalar(canonical: [UInt8](repeating: 0, count: 31) + [0x20]))
        XCTAssertNil(Scalar(canonical: [UInt8](repeating: 0xFF, count: 32)))
        XCTAssertNil(Scalar(canonical: [UInt8](repeating: 0, count: 31)))
    }

    /// Reductions checked against integers computed independently (Python's %).
    func testReductionOfWideValues() {
        let cases: [(wide: [UInt8], reduced: String)] = [
            ([UInt8](repeating: 0xFF, count: 64), "000f9c44e31106a447938568a71b0ed065bef517d273ecce3d9a307c1b419903"),
            (order + [UInt8](repeating: 0, count: 32), String(repeating: "0", count: 64)),
            (
                hexBytes("38b4e652e44da7f2370d9e260e27136550a4a3a6d07f5c0c332f8b1224083fd2"
                    + "2b902f8911e81818f8c99d5d5d9831957504d90e945de2e8f54ee781cc75f636"),
                "69e635e2b59edaf289828e009b47ac5dd30f507e94a31614a8be389e1655b504"
            ),
            (  // L·2^259 + 12345
                hexBytes("3930000000000000000000000000000000000000000000000000000000000000"
                    + "689faee7d21893c0b2e6bc17f5cef7a600000000000000000000000000000080"),
                "3930000000000000000000000000000000000000000000000000000000000000"
            ),
        ]
        for (wide, reduced) in cases {
            XCTAssertEqual(hexString(Scalar(reducing: wide).encoded), reduced)
        }
        var belowOrder = order
        belowOrder[0] -= 1
        XCTAssertEqual(Scalar(reducing: belowOrder + [UInt8](repeating: 0, count: 32)).encoded, belowOrder)
    }

    func testBits() throws {
        let scalar = try XCTUnwrap(Scalar(canonical: [0b101] + [UInt8](repeating: 0, count: 30) + [0x10]))
        XCTAssertEqual((0..<256).filter { scalar.bit($0) }, [0, 2, 252])
    }
}
