import Testing
@testable import FleetClient

@Suite struct DurationTextTests {
    @Test func parsesUnitsAndCompounds() throws {
        #expect(try DurationText.parse("24h") == .seconds(86400))
        #expect(try DurationText.parse("3600s") == .seconds(3600))
        #expect(try DurationText.parse("30m") == .seconds(1800))
        #expect(try DurationText.parse("7d") == .seconds(7 * 86400))
        #expect(try DurationText.parse("1h30m") == .seconds(5400))
        #expect(try DurationText.parse("500ms") == .milliseconds(500))
        #expect(try DurationText.parse("90") == .seconds(90))
    }

    @Test func rejectsMalformedOrNonPositive() {
        for text in ["", "h", "10x", "1.5h", "-5s", "0s", "0", "10 m", "m10"] {
            #expect(throws: DurationText.ParseError.self, "\(text)") { try DurationText.parse(text) }
        }
    }

    @Test func secondsMustBeWhole() throws {
        #expect(try DurationText.parseSeconds("2m") == 120)
        #expect(throws: DurationText.ParseError.self) { try DurationText.parseSeconds("1500ms") }
    }

    @Test func formatsShortestText() {
        #expect(DurationText.format(.seconds(60)) == "1m")
        #expect(DurationText.format(.seconds(5400)) == "1h30m")
        #expect(DurationText.format(.seconds(45)) == "45s")
        #expect(DurationText.format(.milliseconds(250)) == "250ms")
        #expect(DurationText.format(.seconds(86400 + 1)) == "1d1s")
    }
}
