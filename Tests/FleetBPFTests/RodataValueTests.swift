import Testing
@testable import FleetBPF

@Suite("Rodata value encoding")
struct RodataValueTests {
    private func encode(_ value: BPFRodataValue, _ variable: BPFRodataVariable) throws -> [UInt8] {
        try value.encoded(for: variable).get()
    }

    private func variable(_ size: Int, _ kind: BPFRodataVariable.Kind) -> BPFRodataVariable {
        BPFRodataVariable(name: "v", offset: 0, size: size, kind: kind)
    }

    @Test func signedLimitsFollowTheVariableSize() throws {
        #expect(throws: BPFError.self) { try encode(.int(128), variable(1, .signedInteger)) }
        #expect(try encode(.int(-128), variable(1, .signedInteger)) == [0x80])
        #expect(try encode(.int(-2), variable(2, .signedInteger)) == [0xfe, 0xff])
    }

    @Test func booleansStoreZeroOrOne() throws {
        #expect(try encode(true, variable(1, .bool)) == [1])
        #expect(throws: BPFError.self) { try encode(.int(2), variable(1, .bool)) }
    }

    @Test func bytesArePaddedButNeverTruncated() throws {
        #expect(try encode(.bytes([0x61]), variable(4, .bytes)) == [0x61, 0, 0, 0])
        #expect(throws: BPFError.self) { try encode(.int(1), variable(16, .bytes)) }
    }
}
