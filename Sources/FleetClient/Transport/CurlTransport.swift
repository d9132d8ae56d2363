import Foundation
import Synchronization
internal import CCurl

/// `curl_global_init` runs once, on first use, whichever thread gets there first (Swift globals are
/// initialised lazily under `swift_once`).
private let curlGlobalInit: CURLcode = fleet_curl_global_init()

/// An `HTTPTransport` over one libcurl easy handle.
///
/// The handle is reused for every request, so connections to the same server stay open between
/// calls (keep-alive). Requests through one transport are serialised; give each thread that needs
/// concurrent requests its own transport. Every call blocks the calling thread.
public final class CurlTransport: HTTPTransport {
    public struct Options: Sendable {
        /// Limit for establishing the TCP (and TLS) connection; the request timeout still applies.
        public var connectTimeout: Duration
        public var userAgent: String
        /// Answers larger than this fail instead of filling memory.
        public var maximumResponseBytes: Int

        public init(connectTimeout: Duration = .seconds(10), userAgent: String = "fleet-client/1",
                    maximumResponseBytes: Int = 256 << 20) {
            self.connectTimeout = connectTimeout
            self.userAgent = userAgent
            self.maximumResponseBytes = maximumResponseBytes
        }
    }

    private let options: Options
    /// Created on first use; only touched while the lock is held.
    private let handle = Mutex<EasyHandle?>(nil)

    public init(options: Options = Options()) {
        self.options = options
    }

    public func send(_ request: HTTPRequest) throws -> HTTPResponse {
        guard curlGlobalInit == CURLE_OK else {
            throw FleetClientError(kind: .transport, title: "cannot initialise libcurl",
                                   detail: String(cString: curl_easy_strerror(curlGlobalInit)))
        }
        let options = self.options
        return try handle.withLock { slot -> HTTPResponse in
            if slot == nil {
                guard let raw = curl_easy_init() else {
                    throw FleetClientError(kind: .transport, title: "cannot initialise libcurl", detail: "curl_easy_init failed")
                }
                slot = EasyHandle(raw)
            }
            return try Self.perform(request, on: slot!.raw, options: options)
        }
    }

    private static func perform(_ request: HTTPRequest, on curl: UnsafeMutableRawPointer, options: Options) throws -> HTTPResponse {
        // Reset forgets the previous request's options but keeps open connections and caches.
        curl_easy_reset(curl)
        let origin = URLOrigin.of(request.url)
        func set(_ code: CURLcode, _ option: String) throws {
            guard code == CURLE_OK else {
                throw FleetClientError(kind: .transport, title: "cannot prepare request to \(origin)",
                                       detail: "libcurl rejected \(option): \(String(cString: curl_easy_strerror(code)))")
            }
        }

        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        defer { curl_slist_free_all(headerList) }
        for line in request.headers.map({ "\($0.name): \($0.value)" }) + ["Expect:"] {
            guard let appended = curl_slist_append(headerList, line) else {
                throw FleetClientError(kind: .transport, title: "cannot prepare request to \(origin)", detail: "out of memory")
            }
            headerList = appended
        }

        try set(fleet_curl_set_str(curl, CURLOPT_URL, request.url), "URL")
        try set(fleet_curl_set_long(curl, CURLOPT_NOSIGNAL, 1), "NOSIGNAL")
        try set(fleet_curl_set_long(curl, CURLOPT_TIMEOUT_MS, request.timeout.roundedUpMilliseconds), "TIMEOUT_MS")
        try set(fleet_curl_set_long(curl, CURLOPT_CONNECTTIMEOUT_MS, options.connectTimeout.roundedUpMilliseconds), "CONNECTTIMEOUT_MS")
        try set(fleet_curl_set_long(curl, CURLOPT_TCP_KEEPALIVE, 1), "TCP_KEEPALIVE")
        try set(fleet_curl_set_str(curl, CURLOPT_USERAGENT, options.userAgent), "USERAGENT")
        try set(fleet_curl_set_ptr(curl, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(headerList)), "HTTPHEADER")

        let method = request.method
        let sendsBody = request.body != nil || method == .post || method == .put || method == .patch
        if sendsBody {
            // COPYPOSTFIELDS copies, so the bytes need not outlive this call; never pass NULL, which
            // would make libcurl read the body from stdin.
            let body = request.body ?? []
            try set(fleet_curl_set_off(curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)), "POSTFIELDSIZE_LARGE")
            let storage = body.isEmpty ? [UInt8(0)] : body
            try storage.withUnsafeBytes { raw in
                try set(fleet_curl_set_ptr(curl, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: raw.baseAddress)), "COPYPOSTFIELDS")
            }
            if method != .post { try set(fleet_curl_set_str(curl, CURLOPT_CUSTOMREQUEST, method.rawValue), "CUSTOMREQUEST") }
        } else if method == .head {
            try set(fleet_curl_set_long(curl, CURLOPT_NOBODY, 1), "NOBODY")
        } else if method == .get {
            try set(fleet_curl_set_long(curl, CURLOPT_HTTPGET, 1), "HTTPGET")
        } else {
            try set(fleet_curl_set_str(curl, CURLOPT_CUSTOMREQUEST, method.rawValue), "CUSTOMREQUEST")
        }

        let collector = ResponseCollector(limit: options.maximumResponseBytes)
        let context = Unmanaged.passUnretained(collector).toOpaque()
        try set(fleet_curl_set_write(curl) { data, size, count, context in
            let collector = Unmanaged<ResponseCollector>.fromOpaque(context!).takeUnretainedValue()
            return collector.appendBody(UnsafeRawBufferPointer(start: data, count: size * count)) ? size * count : 0
        }, "WRITEFUNCTION")
        try set(fleet_curl_set_ptr(curl, CURLOPT_WRITEDATA, context), "WRITEDATA")
        try set(fleet_curl_set_header_fn(curl) { data, size, count, context in
            let collector = Unmanaged<ResponseCollector>.fromOpaque(context!).takeUnretainedValue()
            collector.appendHeaderLine(UnsafeRawBufferPointer(start: data, count: size * count))
            return size * count
        }, "HEADERFUNCTION")
        try set(fleet_curl_set_ptr(curl, CURLOPT_HEADERDATA, context), "HEADERDATA")

        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let code = withExtendedLifetime(collector) {
            errorBuffer.withUnsafeMutableBufferPointer { buffer -> CURLcode in
                _ = fleet_curl_set_ptr(curl, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(buffer.baseAddress))
                let code = curl_easy_perform(curl)
                _ = fleet_curl_set_ptr(curl, CURLOPT_ERRORBUFFER, nil)
                return code
            }
        }

        guard code == CURLE_OK else {
            let curlMessage = errorBuffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw failure(code, origin: origin, curl: curl, curlMessage: curlMessage, request: request,
                          overflowed: collector.overflowed, limit: options.maximumResponseBytes)
        }
        var status = 0
        _ = fleet_curl_get_long(curl, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: collector.headers, body: collector.body)
    }

    private static func failure(_ code: CURLcode, origin: String, curl: UnsafeMutableRawPointer, curlMessage: String,
                                request: HTTPRequest, overflowed: Bool, limit: Int) -> FleetClientError {
        if overflowed {
            return FleetClientError(kind: .transport, title: "answer from \(origin) is too large", detail: "more than \(limit) bytes")
        }
        if code == CURLE_OPERATION_TIMEDOUT {
            return FleetClientError(kind: .transport, title: "no answer from \(origin)",
                                    detail: "timed out after \(DurationText.format(request.timeout))")
        }
        var reason = curlMessage.isEmpty ? String(cString: curl_easy_strerror(code)) : curlMessage
        if code == CURLE_COULDNT_CONNECT {
            var osErrno = 0
            if fleet_curl_get_long(curl, CURLINFO_OS_ERRNO, &osErrno) == CURLE_OK, osErrno != 0 {
                reason = String(cString: strerror(Int32(osErrno)))
            }
        }
        return FleetClientError(kind: .transport, title: "cannot reach \(origin)", detail: reason)
    }
}

/// Owns one libcurl easy handle; freed with the transport.
private final class EasyHandle {
    let raw: UnsafeMutableRawPointer
    init(_ raw: UnsafeMutableRawPointer) { self.raw = raw }
    deinit { curl_easy_cleanup(raw) }
}

/// Gathers one answer's headers and body from libcurl's callbacks, on the thread running `perform`.
private final class ResponseCollector {
    let limit: Int
    var body: [UInt8] = []
    var headers: [(name: String, value: String)] = []
    var overflowed = false

    init(limit: Int) { self.limit = limit }

    /// False stops the transfer.
    func appendBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard body.count + bytes.count <= limit else {
            overflowed = true
            return false
        }
        body.append(contentsOf: bytes)
        return true
    }

    func appendHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        let line = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if line.hasPrefix("HTTP/") {
            headers = []  // a new response begins (after 100 Continue or a redirect)
        } else if let colon = line.firstIndex(of: ":") {
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
    }
}
