import Foundation
import Glibc

/// A parsed HTTP response as a test client received it.
struct RawResponse {
    let status: Int
    let headers: [String: String]
    let body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }
}

struct RawHTTPError: Error, CustomStringConvertible {
    let description: String
}

/// A blocking TCP connection to the server under test, speaking just enough HTTP/1.1 for the tests.
final class RawHTTPConnection {
    private var descriptor: Int32
    private var buffered: [UInt8] = []

    init(port: Int, receiveTimeoutSeconds: Int = 15) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw RawHTTPError(description: "socket: errno \(errno)") }
        var timeout = timeval(tv_sec: receiveTimeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let code = errno
            Glibc.close(descriptor)
            throw RawHTTPError(description: "connect: errno \(code)")
        }
    }

    deinit {
        close()
    }

    func close() {
        if descriptor >= 0 {
            Glibc.close(descriptor)
            descriptor = -1
        }
    }

    func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw RawHTTPError(description: "send: errno \(errno)") }
            offset += sent
        }
    }

    /// Sends a request with `Content-Length` (when there is a body) and the given extra header lines.
    func sendRequest(_ method: String, _ target: String, headers: [String] = [], body: [UInt8] = []) throws {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: localhost\r\n"
        for line in headers { head += line + "\r\n" }
        if !body.isEmpty || method == "POST" || method == "PUT" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        try send(Array(head.utf8) + body)
    }

    /// Reads one response framed by `Content-Length` (or by the end of the stream).
    func readResponse(expectBody: Bool = true) throws -> RawResponse {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        var headerEnd: Int?
        while headerEnd == nil {
            headerEnd = buffered.firstRange(of: separator)?.lowerBound
            if headerEnd == nil, try !fill() { throw RawHTTPError(description: "connection closed before headers") }
        }
        let head = String(decoding: buffered[..<headerEnd!], as: UTF8.self)
        buffered.removeFirst(headerEnd! + separator.count)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw RawHTTPError(description: "bad status line in \(head)")
        }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        guard expectBody else { return RawResponse(status: status, headers: headers, body: []) }
        if let length = headers["content-length"].flatMap(Int.init) {
            while buffered.count < length {
                if try !fill() { throw RawHTTPError(description: "connection closed inside body") }
            }
            let body = Array(buffered[..<length])
            buffered.removeFirst(length)
            return RawResponse(status: status, headers: headers, body: body)
        }
        while try fill() {}
        defer { buffered.removeAll() }
        return RawResponse(status: status, headers: headers, body: buffered)
    }

    /// True once the peer closed the connection (reads return end of stream).
    func isClosedByPeer() throws -> Bool {
        try !fill()
    }

    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let received = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if received < 0 { throw RawHTTPError(description: "recv: errno \(errno)") }
        if received == 0 { return false }
        buffered.append(contentsOf: chunk[..<received])
        return true
    }
}

/// One request on a fresh connection.
func rawRequest(port: Int, _ method: String, _ target: String, headers: [String] = [], body: [UInt8] = []) throws -> RawResponse {
    let connection = try RawHTTPConnection(port: port)
    try connection.sendRequest(method, target, headers: headers + ["Connection: close"], body: body)
    return try connection.readResponse(expectBody: method != "HEAD")
}
