import Testing
@testable import FleetClient

@Suite struct NearestWordTests {
    static let verbs = ["get", "label", "approve", "reject", "create", "delete", "send", "infer", "cancel", "upload", "download", "api"]

    @Test(arguments: [("gett", "get"), ("lable", "label"), ("aprove", "approve"), ("delte", "delete"), ("downlaod", "download"),
                      ("uplo", "upload"), ("SEND", "send")])
    func aTypoFindsTheVerbMeant(_ typed: String, _ meant: String) {
        #expect(NearestWord.find(typed, in: Self.verbs) == meant)
    }

    @Test func somethingElseEntirelyFindsNothing() {
        #expect(NearestWord.find("reboot", in: Self.verbs) == nil)
        #expect(NearestWord.find("x", in: Self.verbs) == nil)
        #expect(NearestWord.find("get", in: []) == nil)
    }

    @Test func distancesCountSwapsAsOneEdit() {
        #expect(NearestWord.editDistance(Array("devcies"), Array("devices")) == 1)
        #expect(NearestWord.editDistance(Array("kitten"), Array("sitting")) == 3)
        #expect(NearestWord.editDistance(Array(""), Array("abc")) == 3)
    }
}
