import Synchronization
import Testing
@testable import FleetExecutor

@Suite struct DriftLogTests {
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }
    }

    @Test func lastingDriftIsLoggedOnceAndAgainWhenItComesBack() {
        let lines = Lines()
        let log = DriftLog { line in lines.lines.withLock { $0.append(line) } }
        log.note("p", "p drifted: links/x missing")
        log.note("p", "p drifted: links/x missing")
        log.note("q", nil)
        #expect(lines.all == ["p drifted: links/x missing"])
        log.note("p", "p drifted: links/x, maps/y missing")
        log.note("p", nil)
        log.note("p", "p drifted: links/x missing")
        #expect(lines.all == ["p drifted: links/x missing", "p drifted: links/x, maps/y missing", "p drifted: links/x missing"])
    }
}
