import Foundation
import Testing
@testable import FleetHTTP

/// Real server on 127.0.0.1, port 0, real clients (raw sockets and curl).
@Suite(.serialized) struct HTTPServerTests {
    init() {
        HTTPServer.raiseOpenFileLimit()
    }

    private func startServer(
        threads: Int = 2,
        maxBodyBytes: Int = 1 << 20,
        handler: @escaping @Sendable (Request) -> HandlerResult
    ) throws -> HTTPServer {
        let configuration = ServerConfiguration(
            host: "127.0.0.1", port: 0, threads: threads, maxBodyBytes: maxBodyBytes,
            errorResponder: { status, title, detail in
                Response(status: status, headers: [(name: "Content-Type", value: "text/x-test-error")],
                         body: Array("error \(status) \(title): \(detail)".utf8))
            })
        let server = HTTPServer(configuration: configuration, handler: handler)
        try server.start()
        return server
    }

    private static func echo(_ request: Request) -> HandlerResult {
        var lines = [
            "method=\(request.method)",
            "path=\(request.path)",
            "remote=\(request.remoteAddress ?? "-")",
            "loopback=\(request.isFromLoopback)",
            "x-test=\(request.header("X-TEST") ?? "-")",
            "body=\(String(decoding: request.body, as: UTF8.self))",
        ]
        for (name, value) in request.query.sorted(by: { $0.key < $1.key }) {
            lines.append("query.\(name)=\(value)")
        }
        return .respond(Response(status: 200, headers: [(name: "X-Echo", value: "yes")], body: Array(lines.joined(separator: "\n").utf8)))
    }

    @Test func getEchoesQueryHeadersAndPeer() throws {
        let server = try startServer(handler: Self.echo)
        defer { server.stop() }
        #expect(server.port > 0)
        let response = try rawRequest(port: server.port, "GET", "/echo/a%2Fb?a=1&a=2&msg=hello%20world&plus=x+y&flag", headers: ["X-Test: Yes"])
        #expect(response.status == 200)
        #expect(response.headers["x-echo"] == "yes")
        let lines = Set(response.text.split(separator: "\n").map(String.init))
        #expect(lines.isSuperset(of: [
            "method=GET", "path=/echo/a%2Fb", "remote=127.0.0.1", "loopback=true", "x-test=Yes", "body=",
            "query.a=1", "query.msg=hello world", "query.plus=x y", "query.flag=",
        ]), "\(lines)")
    }

    @Test func postEchoesBodyAcrossManyReads() throws {
        let server = try startServer(handler: Self.echo)
        defer { server.stop() }
        let payload = String(repeating: "0123456789abcdef", count: 20_000)
        let response = try rawRequest(port: server.port, "POST", "/upload", body: Array(payload.utf8))
        #expect(response.status == 200)
        #expect(response.text.contains("body=\(payload)"))
        #expect(response.text.contains("method=POST"))
    }

    @Test func curlClientRoundTrip() throws {
        let server = try startServer(handler: Self.echo)
        defer { server.stop() }
        let result = try Curl.run(["-sS", "-X", "PUT", "-H", "X-Test: from-curl", "--data-binary", "hello",
                                   "http://127.0.0.1:\(server.port)/things/1?x=%C3%A9"])
        #expect(result.status == 200)
        #expect(result.body.contains("method=PUT"))
        #expect(result.body.contains("x-test=from-curl"))
        #expect(result.body.contains("body=hello"))
        #expect(result.body.contains("query.x=é"))
    }

    @Test func keepAliveServesSeveralRequestsOnOneConnection() throws {
        let server = try startServer(handler: Self.echo)
        defer { server.stop() }
        let connection = try RawHTTPConnection(port: server.port)
        for index in 0..<3 {
            try connection.sendRequest("POST", "/n/\(index)", body: Array("b\(index)".utf8))
            let response = try connection.readResponse()
            #expect(response.text.contains("path=/n/\(index)"))
            #expect(response.text.contains("body=b\(index)"))
        }
    }

    @Test func declaredOversizedBodyGets413FromErrorResponderWithoutCallingHandler() throws {
        let calls = Recorder(0)
        let server = try startServer(maxBodyBytes: 1_000) { request in
            calls.update { $0 += 1 }
            return Self.echo(request)
        }
        defer { server.stop() }
        let connection = try RawHTTPConnection(port: server.port)
        try connection.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 50000\r\n\r\n")
        let response = try connection.readResponse()
        #expect(response.status == 413)
        #expect(response.headers["content-type"] == "text/x-test-error")
        #expect(response.text.hasPrefix("error 413 Content Too Large"))
        #expect(calls.value == 0)

        let curl = try Curl.run(["-sS", "--data-binary", "@-", "http://127.0.0.1:\(server.port)/upload"],
                                input: Data(repeating: 65, count: 2 << 20))
        #expect(curl.status == 413)
        #expect(curl.body.hasPrefix("error 413"))
        #expect(calls.value == 0)
    }

    @Test func chunkedOversizedBodyGets413AfterUpload() throws {
        let calls = Recorder(0)
        let server = try startServer(maxBodyBytes: 1_000) { request in
            calls.update { $0 += 1 }
            return Self.echo(request)
        }
        defer { server.stop() }
        let connection = try RawHTTPConnection(port: server.port)
        var upload = "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        for _ in 0..<5 { upload += "258\r\n" + String(repeating: "z", count: 600) + "\r\n" }
        upload += "0\r\n\r\n"
        try connection.send(upload)
        let response = try connection.readResponse()
        #expect(response.status == 413)
        #expect(response.text.hasPrefix("error 413"))
        // The connection stays usable: the oversized body was consumed and dropped.
        try connection.sendRequest("POST", "/small", body: Array("ok".utf8))
        #expect(try connection.readResponse().text.contains("body=ok"))
        #expect(calls.value == 1)
    }

    @Test func invalidHandlerStatusBecomesErrorResponder500() throws {
        let server = try startServer { _ in .respond(Response(status: 42)) }
        defer { server.stop() }
        let response = try rawRequest(port: server.port, "GET", "/")
        #expect(response.status == 500)
        #expect(response.text.hasPrefix("error 500"))
    }

    @Test func unsafeResponseHeadersAreDropped() throws {
        let server = try startServer { _ in
            .respond(Response(status: 201, headers: [(name: "X-Good", value: "1"), (name: "X-Bad", value: "a\r\nX-Injected: 1")]))
        }
        defer { server.stop() }
        let response = try rawRequest(port: server.port, "GET", "/")
        #expect(response.status == 201)
        #expect(response.headers["x-good"] == "1")
        #expect(response.headers["x-bad"] == nil)
        #expect(response.headers["x-injected"] == nil)
    }

    @Test func headRequestGetsNoBody() throws {
        let server = try startServer(handler: Self.echo)
        defer { server.stop() }
        let connection = try RawHTTPConnection(port: server.port)
        try connection.sendRequest("HEAD", "/x")
        let head = try connection.readResponse(expectBody: false)
        #expect(head.status == 200)
        try connection.sendRequest("GET", "/after-head")
        #expect(try connection.readResponse().text.hasPrefix("method=GET\npath=/after-head"))
    }

    @Test func startFailsWithReasonWhenPortIsTaken() throws {
        let first = try startServer(handler: Self.echo)
        defer { first.stop() }
        let second = HTTPServer(configuration: ServerConfiguration(host: "127.0.0.1", port: first.port, threads: 1)) { Self.echo($0) }
        let error = #expect(throws: HTTPServerError.self) { try second.start() }
        #expect(error?.message.contains("127.0.0.1:\(first.port)") == true)
        #expect(error?.message.lowercased().contains("in use") == true, "\(error?.message ?? "")")
    }

    @Test func startRejectsHostThatIsNotAnIPLiteral() {
        let server = HTTPServer(configuration: ServerConfiguration(host: "localhost", port: 0)) { Self.echo($0) }
        #expect(throws: HTTPServerError.self) { try server.start() }
    }

    @Test func ipv6LoopbackIsServed() throws {
        let server = HTTPServer(configuration: ServerConfiguration(host: "::1", port: 0, threads: 1)) { Self.echo($0) }
        try server.start()
        defer { server.stop() }
        let result = try Curl.run(["-sS", "-g", "http://[::1]:\(server.port)/six"])
        #expect(result.status == 200)
        #expect(result.body.contains("remote=::1"))
        #expect(result.body.contains("loopback=true"))
    }

    @Test func malformedAndAbandonedRequestsLeakNoContexts() throws {
        let server = try startServer(handler: Self.echo)
        defer { server.stop() }
        let garbage = try RawHTTPConnection(port: server.port)
        try garbage.send("GARBAGE\r\n\r\n")
        _ = try? garbage.readResponse()
        let abandoned = try RawHTTPConnection(port: server.port)
        try abandoned.send("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nhalf")
        usleep(50_000)
        abandoned.close()
        let hugeHeader = try rawRequest(port: server.port, "GET", "/big", headers: ["X-Huge: " + String(repeating: "h", count: 100_000)])
        #expect(hugeHeader.status >= 400)
        let badEscape = try rawRequest(port: server.port, "GET", "/%zz?q=%zz")
        #expect(badEscape.status == 200)
        _ = try rawRequest(port: server.port, "GET", "/fine")
        #expect(eventually { server.liveRequestCountForTesting == 0 })
    }
}

extension HTTPServer {
    var liveRequestCountForTesting: Int { core.liveRequestCount }
}
