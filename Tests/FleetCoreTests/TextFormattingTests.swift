import Testing
@testable import FleetCore

@Suite struct TextFormattingTests {
    @Test func fixedDecimalsRoundLikePrintf() {
        #expect(1.25.formatted(decimals: 1) == "1.3")
        #expect((-1.25).formatted(decimals: 1) == "-1.3")
        #expect(0.0.formatted(decimals: 2) == "0.00")
        #expect(3.0.formatted(decimals: 0) == "3")
        #expect(12.3456.formatted(decimals: 2) == "12.35")
        #expect(0.05.formatted(decimals: 1) == "0.1")
        #expect((-0.001).formatted(decimals: 1) == "0.0")
        #expect(1024.0.formatted(decimals: 1) == "1024.0")
        #expect(Double.nan.formatted(decimals: 1) == "nan")
        #expect((-Double.infinity).formatted(decimals: 1) == "-inf")
        #expect(Float(2.5).formatted(decimals: 2) == "2.50")
    }

    @Test func significantDigitsSwitchToExponentsAtTheExtremes() {
        #expect(12345.0.formatted(significant: 3) == "1.23e+04")
        #expect(0.001234.formatted(significant: 3) == "0.00123")
        #expect(0.00001234.formatted(significant: 3) == "1.23e-05")
        #expect(9.996.formatted(significant: 3) == "10")
        #expect(99960.0.formatted(significant: 3) == "1e+05")
        #expect(0.0.formatted(significant: 3) == "0")
        #expect((-250.0).formatted(significant: 3) == "-250")
    }

    @Test func trimmedDropsOuterWhitespaceOnly() {
        #expect("  a b \n".trimmed == "a b")
        #expect("\t\n ".trimmed == "")
        #expect("x".trimmed == "x")
    }

    @Test func hexStringUsesTwoLowerCaseDigitsPerByte() {
        #expect([0x00, 0x0f, 0xa0, 0xff].hexString == "000fa0ff")
        #expect([UInt8]().hexString == "")
    }
}
