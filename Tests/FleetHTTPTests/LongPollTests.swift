import Dispatch
import Foundation
import Testing
@testable import FleetHTTP

/// Long-polls against a real server: wake-ups, deadlines, disconnects, many held connections, stopping.
@Suite(.serialized) struct LongPollTests {
    /// Shared state of a test's long-polls: registered wake-ups, news, and how often each callback ran.
    final class Board: Sendable {
        let wakeups = Recorder<[Wakeup]>([])
        let news = Recorder(false)
        let registered = Recorder(0)
        let polls = Recorder(0)
        let timeouts = Recorder(0)
        let finished = Recorder(0)

        func longPoll(waitingUpTo wait: Duration, registerAlsoWakes: Bool = false) -> LongPoll {
            LongPoll(
                deadline: .now + wait,
                register: { wakeup in
                    self.registered.update { $0 += 1 }
                    self.wakeups.update { $0.append(wakeup) }
                    if registerAlsoWakes { wakeup.wake() }
                },
                poll: {
                    self.polls.update { $0 += 1 }
                    return self.news.value ? Response(status: 200, body: Array("news".utf8)) : nil
                },
                timeout: {
                    self.timeouts.update { $0 += 1 }
                    return Response(status: 204)
                },
                finished: { self.finished.update { $0 += 1 } })
        }

        func wakeAll() {
            for wakeup in wakeups.value { wakeup.wake() }
        }
    }

    private func startServer(threads: Int = 2, board: Board, wait: Duration = .seconds(30)) throws -> HTTPServer {
        HTTPServer.raiseOpenFileLimit()
        let configuration = ServerConfiguration(host: "127.0.0.1", port: 0, threads: threads)
        let server = HTTPServer(configuration: configuration) { request in
            if request.path == "/ping" { return .respond(Response(status: 200, body: Array("pong".utf8))) }
            return .suspend(board.longPoll(waitingUpTo: wait))
        }
        try server.start()
        return server
    }

    @Test func wakeFromAnotherThreadAnswersPromptly() throws {
        let board = Board()
        let server = try startServer(board: board)
        defer { server.stop() }
        let connection = try RawHTTPConnection(port: server.port)
        try connection.sendRequest("GET", "/wait")
        #expect(eventually { server.suspendedCount == 1 })
        usleep(50_000)
        let wokenAt = Recorder(ContinuousClock.now)
        onAnotherThread {
            board.news.update { $0 = true }
            wokenAt.update { $0 = .now }
            board.wakeAll()
        }
        let response = try connection.readResponse()
        let latency = wokenAt.value.duration(to: .now)
        #expect(response.status == 200)
        #expect(response.text == "news")
        #expect(latency < .milliseconds(50), "wake-to-response latency \(latency)")
        #expect(board.registered.value == 1)
        #expect(board.timeouts.value == 0)
        #expect(eventually { board.finished.value == 1 && server.suspendedCount == 0 })
    }

    @Test func deadlineAnswersWithTimeoutResponse() throws {
        let board = Board()
        let server = try startServer(board: board, wait: .milliseconds(300))
        defer { server.stop() }
        let started = ContinuousClock.now
        let response = try rawRequest(port: server.port, "GET", "/wait")
        let elapsed = started.duration(to: .now)
        #expect(response.status == 204)
        #expect(elapsed >= .milliseconds(300))
        #expect(elapsed < .seconds(2))
        #expect(board.timeouts.value == 1)
        #expect(eventually { board.finished.value == 1 })
    }

    @Test func pastDeadlineTimesOutAtOnce() throws {
        let board = Board()
        let server = try startServer(board: board, wait: .zero)
        defer { server.stop() }
        #expect(try rawRequest(port: server.port, "GET", "/wait").status == 204)
        #expect(board.registered.value == 1)
        #expect(eventually { board.finished.value == 1 })
    }

    @Test func wakeBeforeSuspensionIsNotLost() throws {
        let polls = Recorder(0)
        let server = HTTPServer(configuration: ServerConfiguration(host: "127.0.0.1", port: 0, threads: 2)) { _ in
            let wakeup = Recorder<Wakeup?>(nil)
            let news = Recorder(false)
            return .suspend(LongPoll(
                deadline: .now + .seconds(5),
                register: { registered in wakeup.update { $0 = registered } },
                poll: {
                    let round = polls.update { $0 += 1; return $0 }
                    if round == 1 {
                        // News lands while this poll is still deciding "nothing yet": the wake-up comes
                        // before the connection is suspended and must cause another poll.
                        news.update { $0 = true }
                        wakeup.value?.wake()
                        return nil
                    }
                    return news.value ? Response(status: 200) : nil
                },
                timeout: { Response(status: 204) },
                finished: {}))
        }
        try server.start()
        defer { server.stop() }
        let started = ContinuousClock.now
        let response = try rawRequest(port: server.port, "GET", "/wait")
        #expect(response.status == 200)
        #expect(started.duration(to: .now) < .seconds(1))
        #expect(polls.value == 2)
    }

    @Test func racingWakeupsAroundSuspensionAreNeverLost() throws {
        let rounds = 200
        let wokenEarly = Recorder(0)
        let server = HTTPServer(configuration: ServerConfiguration(host: "127.0.0.1", port: 0, threads: 2)) { _ in
            let news = Recorder(false)
            return .suspend(LongPoll(
                deadline: .now + .seconds(10),
                register: { wakeup in
                    // News and wake-up arrive from another thread at an arbitrary point around suspension.
                    onAnotherThread {
                        news.update { $0 = true }
                        wakeup.wake()
                    }
                },
                poll: {
                    guard news.value else { return nil }
                    return Response(status: 200)
                },
                timeout: { Response(status: 504) },
                finished: { wokenEarly.update { $0 += 1 } }))
        }
        try server.start()
        defer { server.stop() }
        let started = ContinuousClock.now
        for _ in 0..<rounds {
            #expect(try rawRequest(port: server.port, "GET", "/wait").status == 200)
        }
        #expect(started.duration(to: .now) < .seconds(10))
        #expect(eventually { wokenEarly.value == rounds })
    }

    @Test func finishedRunsOnceWhenClientDisconnectsWhileSuspended() throws {
        let board = Board()
        let server = try startServer(board: board)
        let connection = try RawHTTPConnection(port: server.port)
        try connection.sendRequest("GET", "/wait")
        #expect(eventually { server.suspendedCount == 1 })
        connection.close()
        usleep(100_000)
        // MHD does not watch suspended sockets: wake-ups without news just suspend the request again,
        // and the departed client is only noticed once the request ends (here at stop).
        board.wakeAll()
        #expect(eventually { board.polls.value == 2 })
        board.wakeAll()
        #expect(eventually { board.polls.value == 3 })
        #expect(board.finished.value == 0)
        server.stop()
        #expect(board.finished.value == 1)
        #expect(board.timeouts.value == 1)
        #expect(server.suspendedCount == 0)
        #expect(server.liveRequestCountForTesting == 0)
    }

    @Test func finishedRunsOnceWhenDepartedClientIsAnswered() throws {
        let board = Board()
        let server = try startServer(board: board)
        defer { server.stop() }
        let connection = try RawHTTPConnection(port: server.port)
        try connection.sendRequest("GET", "/wait")
        #expect(eventually { server.suspendedCount == 1 })
        connection.close()
        usleep(50_000)
        board.news.update { $0 = true }
        board.wakeAll()
        #expect(eventually { board.finished.value == 1 && server.suspendedCount == 0 })
        #expect(eventually { server.liveRequestCountForTesting == 0 })
        board.wakeAll()
        usleep(50_000)
        #expect(board.finished.value == 1)
    }

    @Test func finishedRunsOnceAtStopForSilentDisconnect() throws {
        let board = Board()
        let server = try startServer(board: board)
        let connection = try RawHTTPConnection(port: server.port)
        try connection.sendRequest("GET", "/wait")
        #expect(eventually { server.suspendedCount == 1 })
        connection.close()
        usleep(100_000)
        #expect(board.finished.value == 0)
        server.stop()
        #expect(board.finished.value == 1)
        server.stop()
        #expect(board.finished.value == 1)
        // A wake-up kept past the end is a harmless no-op.
        board.wakeAll()
        #expect(board.finished.value == 1)
    }

    @Test func thousandHeldLongPollsLeaveTwoThreadsFreeForOtherRequests() throws {
        let count = 1_000
        let board = Board()
        let server = try startServer(threads: 2, board: board)
        defer { server.stop() }
        var connections: [RawHTTPConnection] = []
        for _ in 0..<count {
            let connection = try RawHTTPConnection(port: server.port)
            try connection.sendRequest("GET", "/wait")
            connections.append(connection)
        }
        #expect(eventually(within: 10) { server.suspendedCount == count }, "held \(server.suspendedCount)")
        let started = ContinuousClock.now
        let ping = try rawRequest(port: server.port, "GET", "/ping")
        #expect(ping.text == "pong")
        #expect(started.duration(to: .now) < .milliseconds(500))

        board.news.update { $0 = true }
        board.wakeAll()
        for connection in connections {
            #expect(try connection.readResponse().status == 200)
        }
        #expect(eventually { board.finished.value == count && server.suspendedCount == 0 })
        #expect(board.registered.value == count)
    }

    @Test func stopEndsHeldLongPollsWithTheirTimeoutResponse() throws {
        let board = Board()
        let server = try startServer(board: board)
        var connections: [RawHTTPConnection] = []
        for _ in 0..<5 {
            let connection = try RawHTTPConnection(port: server.port)
            try connection.sendRequest("GET", "/wait")
            connections.append(connection)
        }
        #expect(eventually { server.suspendedCount == 5 })
        let started = ContinuousClock.now
        server.stop()
        #expect(started.duration(to: .now) < .seconds(3))
        for connection in connections {
            #expect(try connection.readResponse().status == 204)
        }
        #expect(board.timeouts.value == 5)
        #expect(board.finished.value == 5)
        #expect(server.suspendedCount == 0)
        #expect(throws: (any Error).self) { _ = try RawHTTPConnection(port: server.port) }
    }
}
