import Foundation
import Testing
import FleetBPF

@Suite("Verifier failures")
struct VerifierTests {
    @Test func rejectedProgramReportsItsVerifierLog() throws {
        let error = try #require(throws: BPFError.self) { _ = try TestObjects.open("bad_verifier").load() }
        #expect(error.code == .load)
        #expect(error.subject == "bad_verifier/read_out_of_bounds")
        #expect(error.errno == EACCES)
        let log = try #require(error.verifierLog)
        #expect(log.contains("invalid access to map value"))
        #expect(error.description.contains("invalid access to map value"))
    }
}
