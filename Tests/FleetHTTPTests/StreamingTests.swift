import Foundation
import Testing
@testable import FleetHTTP

/// Streamed request bodies (`UploadSink`) and streamed response bodies (`StreamedBody`), over real sockets.
@Suite(.serialized) struct StreamingTests {
    init() {
        HTTPServer.raiseOpenFileLimit()
    }

    /// Counts and checksums what it is given; records the largest piece and whether it was released.
    final class CountingSink: UploadSink {
        struct Summary: Sendable, Equatable {
            let bytes: Int
            let checksum: UInt64
        }

        let stats: Recorder<Stats>
        private var bytes = 0
        private var checksum: UInt64 = 0
        private let failAfter: Int?

        struct Stats: Sendable {
            var writes = 0
            var largestWrite = 0
            var released = 0
        }

        init(stats: Recorder<Stats>, failAfter: Int? = nil) {
            self.stats = stats
            self.failAfter = failAfter
        }

        deinit {
            stats.update { $0.released += 1 }
        }

        func write(_ chunk: UnsafeRawBufferPointer) throws {
            stats.update {
                $0.writes += 1
                $0.largestWrite = max($0.largestWrite, chunk.count)
            }
            for byte in chunk { checksum = checksum &* 31 &+ UInt64(byte) }
            bytes += chunk.count
            if let failAfter, bytes > failAfter { throw SinkFailure() }
        }

        func finish() throws -> any Sendable {
            Summary(bytes: bytes, checksum: checksum)
        }
    }

    struct SinkFailure: Error {}

    static func checksum(_ data: Data) -> UInt64 {
        data.reduce(UInt64(0)) { $0 &* 31 &+ UInt64($1) }
    }

    /// `/upload` streams (to a fresh `CountingSink`), `/reject` is refused before its body, the rest buffers.
    private func startServer(maxBodyBytes: Int = 1 << 20, maxUploadBytes: Int = 64 << 20, stats: Recorder<CountingSink.Stats>,
                             failAfter: Int? = nil, handlerCalls: Recorder<Int> = Recorder(0),
                             handler: (@Sendable (Request) -> HandlerResult)? = nil) throws -> HTTPServer {
        let configuration = ServerConfiguration(
            host: "127.0.0.1", port: 0, threads: 2, maxBodyBytes: maxBodyBytes, maxUploadBytes: maxUploadBytes,
            bodyDisposition: { head in
                switch head.path {
                case "/upload": .stream(CountingSink(stats: stats, failAfter: failAfter))
                case "/reject": .reject(Response(status: 403, body: Array("refused \(head.header("x-who") ?? "-")".utf8)))
                default: .buffer
                }
            },
            errorResponder: { status, title, _ in Response(status: status, body: Array("error \(status) \(title)".utf8)) })
        let server = HTTPServer(configuration: configuration, handler: handler ?? { request in
            handlerCalls.update { $0 += 1 }
            switch request.upload {
            case nil:
                return .respond(Response(status: 200, body: Array("buffered \(request.body.count)".utf8)))
            case .success(let value as CountingSink.Summary):
                return .respond(Response(status: 200, body: Array("streamed \(value.bytes) \(value.checksum) body=\(request.body.count)".utf8)))
            case .success:
                return .respond(Response(status: 500))
            case .failure(let error):
                return .respond(Response(status: error is SinkFailure ? 422 : 500, body: Array("sink failed".utf8)))
            }
        })
        try server.start()
        return server
    }

    private static func file(of data: Data) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fleet-http-\(UUID().uuidString)")
        try data.write(to: url)
        return url
    }

    @Test func largeUploadReachesTheSinkInSmallPiecesAndNeverTheBody() throws {
        let stats = Recorder(CountingSink.Stats())
        let server = try startServer(stats: stats)
        defer { server.stop() }
        let payload = Data((0..<(8 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) })
        let url = try Self.file(of: payload)
        defer { try? FileManager.default.removeItem(at: url) }
        let result = try Curl.run(["-sS", "--data-binary", "@\(url.path)", "http://127.0.0.1:\(server.port)/upload"])
        #expect(result.status == 200)
        #expect(result.body == "streamed \(payload.count) \(Self.checksum(payload)) body=0")
        let seen = stats.value
        #expect(seen.writes > 16, "an 8 MiB body arrives in many pieces")
        #expect(seen.largestWrite <= 1 << 20, "no piece near the body's size: \(seen.largestWrite)")
        #expect(eventually { stats.value.released == 1 })
    }

    @Test func chunkedUploadIsStreamedToo() throws {
        let stats = Recorder(CountingSink.Stats())
        let server = try startServer(stats: stats)
        defer { server.stop() }
        let payload = Data(repeating: 0x5a, count: 3 << 20)
        let result = try Curl.run(["-sS", "-H", "Transfer-Encoding: chunked", "--data-binary", "@-",
                                   "http://127.0.0.1:\(server.port)/upload"], input: payload)
        #expect(result.status == 200)
        #expect(result.body == "streamed \(payload.count) \(Self.checksum(payload)) body=0")
    }

    @Test func otherRoutesKeepTheBufferedLimit() throws {
        let stats = Recorder(CountingSink.Stats())
        let server = try startServer(maxBodyBytes: 1_000, stats: stats)
        defer { server.stop() }
        let small = try rawRequest(port: server.port, "POST", "/buffered", body: Array(repeating: 1, count: 900))
        #expect(small.text == "buffered 900")
        let large = try Curl.run(["-sS", "--data-binary", "@-", "http://127.0.0.1:\(server.port)/buffered"], input: Data(count: 5_000))
        #expect(large.status == 413)
        let streamed = try Curl.run(["-sS", "--data-binary", "@-", "http://127.0.0.1:\(server.port)/upload"], input: Data(count: 5_000))
        #expect(streamed.status == 200)
        #expect(streamed.body.hasPrefix("streamed 5000 "))
    }

    @Test func uploadOverItsOwnLimitGets413AndReleasesTheSink() throws {
        let stats = Recorder(CountingSink.Stats())
        let calls = Recorder(0)
        let server = try startServer(maxUploadBytes: 100_000, stats: stats, handlerCalls: calls)
        defer { server.stop() }
        let declared = try RawHTTPConnection(port: server.port)
        try declared.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100001\r\n\r\n")
        let refused = try declared.readResponse()
        #expect(refused.status == 413)
        #expect(refused.text.hasPrefix("error 413"))

        let connection = try RawHTTPConnection(port: server.port)
        var upload = "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        for _ in 0..<30 { upload += "1000\r\n" + String(repeating: "q", count: 4096) + "\r\n" }
        upload += "0\r\n\r\n"
        try connection.send(upload)
        let response = try connection.readResponse()
        #expect(response.status == 413)
        #expect(calls.value == 0)
        #expect(eventually { stats.value.released == 2 })
    }

    @Test func failingSinkGetsNoMoreDataAndTheHandlerSeesItsError() throws {
        let stats = Recorder(CountingSink.Stats())
        let server = try startServer(stats: stats, failAfter: 10_000)
        defer { server.stop() }
        let result = try Curl.run(["-sS", "--data-binary", "@-", "http://127.0.0.1:\(server.port)/upload"], input: Data(count: 2 << 20))
        #expect(result.status == 422)
        #expect(result.body == "sink failed")
        #expect(stats.value.writes < 10, "writes stop after the failure: \(stats.value.writes)")
        #expect(stats.value.released == 1)
    }

    @Test func rejectionIsSentBeforeTheBodyWithoutCallingTheHandler() throws {
        let stats = Recorder(CountingSink.Stats())
        let calls = Recorder(0)
        let server = try startServer(stats: stats, handlerCalls: calls)
        defer { server.stop() }
        let connection = try RawHTTPConnection(port: server.port)
        // Only the header: the answer must come without the 10 MB the request announces.
        try connection.send("POST /reject HTTP/1.1\r\nHost: x\r\nX-Who: tester\r\nContent-Length: 10000000\r\n\r\n")
        let response = try connection.readResponse()
        #expect(response.status == 403)
        #expect(response.text == "refused tester")
        #expect(calls.value == 0)
        #expect(stats.value.writes == 0)
    }

    @Test func abandonedUploadReleasesItsSink() throws {
        let stats = Recorder(CountingSink.Stats())
        let calls = Recorder(0)
        let server = try startServer(stats: stats, handlerCalls: calls)
        defer { server.stop() }
        let connection = try RawHTTPConnection(port: server.port)
        try connection.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n" + String(repeating: "a", count: 5000))
        #expect(eventually { stats.value.writes > 0 })
        connection.close()
        #expect(eventually { stats.value.released == 1 })
        #expect(eventually { server.liveRequestCountForTesting == 0 })
        #expect(calls.value == 0)
    }

    /// A body computed from its offset, so any slice can be checked.
    struct PatternSource: ResponseBodySource {
        let failAt: UInt64?
        let reads: Recorder<Int>

        static func byte(at offset: UInt64) -> UInt8 { UInt8(truncatingIfNeeded: offset &* 13 &+ offset >> 11) }

        func read(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
            reads.update { $0 += 1 }
            if let failAt, offset + UInt64(buffer.count) > failAt { throw SinkFailure() }
            for index in 0..<buffer.count { buffer[index] = Self.byte(at: offset + UInt64(index)) }
            return buffer.count
        }
    }

    @Test func streamedResponseBodyArrivesWholeAndInBlocks() throws {
        let reads = Recorder(0)
        let length: UInt64 = 5 << 20
        let stats = Recorder(CountingSink.Stats())
        let server = try startServer(stats: stats) { _ in
            .respond(Response(status: 200, headers: [("X-Kind", "pattern")],
                              streaming: StreamedBody(length: length, source: PatternSource(failAt: nil, reads: reads), blockSize: 64 * 1024)))
        }
        defer { server.stop() }
        let response = try rawRequest(port: server.port, "GET", "/pattern")
        #expect(response.status == 200)
        #expect(response.headers["content-length"] == String(length))
        #expect(response.headers["x-kind"] == "pattern")
        #expect(response.body.count == Int(length))
        let matches = response.body.enumerated().allSatisfy { $1 == PatternSource.byte(at: UInt64($0)) }
        #expect(matches)
        #expect(reads.value >= Int(length / (64 * 1024)), "read a block at a time: \(reads.value) reads")
    }

    @Test func failingStreamedBodyClosesTheConnectionEarly() throws {
        let reads = Recorder(0)
        let stats = Recorder(CountingSink.Stats())
        let server = try startServer(stats: stats) { _ in
            .respond(Response(status: 200, streaming: StreamedBody(length: 4 << 20, source: PatternSource(failAt: 1 << 20, reads: reads))))
        }
        defer { server.stop() }
        let connection = try RawHTTPConnection(port: server.port)
        try connection.sendRequest("GET", "/pattern")
        #expect(throws: RawHTTPError.self) { try connection.readResponse() }
        #expect(eventually { server.liveRequestCountForTesting == 0 })
    }
}
