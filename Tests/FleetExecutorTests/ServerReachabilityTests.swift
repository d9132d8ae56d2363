import FleetClient
import Testing
@testable import FleetExecutor

@Suite struct ServerReachabilityTests {
    let start = ContinuousClock.now

    @Test func theFirstAnswerAfterAnOutageReportsItsLengthOnce() {
        var reachability = ServerReachability()
        reachability.recordNoAnswer(at: start)
        reachability.recordNoAnswer(at: start + .seconds(5))
        #expect(reachability.recordAnswer(at: start + .milliseconds(12_300)) == .milliseconds(12_300),
                "the outage is timed from its first unanswered call")
        #expect(reachability.recordAnswer(at: start + .seconds(13)) == nil, "the other loops' answers report nothing more")
        #expect(reachability.returns == 1)
        #expect(reachability.offlineSince == nil)
    }

    @Test func answersWithoutAnOutageReportNothing() {
        var reachability = ServerReachability()
        #expect(reachability.recordAnswer(at: start) == nil)
        #expect(reachability.returns == 0)
    }

    @Test func everyOutageEndsWithItsOwnReturn() {
        var reachability = ServerReachability()
        reachability.recordNoAnswer(at: start)
        _ = reachability.recordAnswer(at: start + .seconds(2))
        reachability.recordNoAnswer(at: start + .seconds(10))
        #expect(reachability.offlineSince == start + .seconds(10))
        #expect(reachability.recordAnswer(at: start + .seconds(13)) == .seconds(3))
        #expect(reachability.returns == 2)
    }

    @Test func onlyMissingAnswersAndGatewayFailuresMeanTheServerIsOutOfReach() {
        let transport = FleetClientError(kind: .transport, title: "cannot reach http://127.0.0.1:8080", detail: "Connection refused")
        #expect(ServerReachability.meansUnreachable(transport))
        for status in [502, 503, 504] {
            #expect(ServerReachability.meansUnreachable(FleetClientError(kind: .http(status: status), title: "", detail: "")))
        }
        for status in [400, 401, 403, 404, 409, 500] {
            #expect(!ServerReachability.meansUnreachable(FleetClientError(kind: .http(status: status), title: "", detail: "")),
                    "\(status) is an answer of a reachable server")
        }
        #expect(!ServerReachability.meansUnreachable(FleetClientError(kind: .invalidResponse, title: "", detail: "")))
    }
}
