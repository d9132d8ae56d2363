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

@Suite struct MetricNameTests {
    @Test func metricNamesFollowPrometheus() {
        #expect(MetricName.isValid("syscalls_total"))
        #expect(MetricName.isValid(":recording:rule"))
        #expect(MetricName.isValid("_x9"))
        #expect(!MetricName.isValid("9lives"))
        #expect(!MetricName.isValid(""))
        #expect(!MetricName.isValid("with-dash"))
        #expect(!MetricName.isValid("ünïcode"))
        #expect(MetricName.isValid(String(repeating: "a", count: 200)))
        #expect(!MetricName.isValid(String(repeating: "a", count: 201)))
        #expect(!MetricName.isValid(String(repeating: "a", count: 181), maximumLength: MetricName.maximumManifestLength))
    }

    @Test func labelNamesHaveNoColonAndNoDoubleUnderscorePrefix() {
        #expect(MetricName.isValidLabelName("proto"))
        #expect(MetricName.isValidLabelName("_private"))
        #expect(!MetricName.isValidLabelName("__reserved"))
        #expect(!MetricName.isValidLabelName("a:b"))
        #expect(!MetricName.isValidLabelName("1st"))
        #expect(!MetricName.isValidLabelName(String(repeating: "a", count: 64)))
    }

    @Test func fieldNamesAllowDashesAndDots() {
        #expect(MetricName.isValidFieldName("bytes.rx-total_2"))
        #expect(!MetricName.isValidFieldName(""))
        #expect(!MetricName.isValidFieldName("a b"))
        #expect(!MetricName.isValidFieldName("a:b"))
    }
}
