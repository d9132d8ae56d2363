import Glibc
import FleetCore
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
public final class CurlTransport: StreamingHTTPTransport {
    public struct Options: Sendable {
        /// Limit for establishing the TCP (and TLS) connection; the request timeout still applies.
        public var connectTimeout: Duration
        public var userAgent: String
        /// Answers larger than this fail instead of filling memory (streamed 2xx bodies excepted).
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
        try perform(Transfer(request: request))
    }

    public func send(_ request: HTTPRequest, form: MultipartForm, stallTimeout: Duration,
                     progress: ((TransferProgress) -> Void)?) throws -> HTTPResponse {
        try perform(Transfer(request: request, form: form, stallTimeout: stallTimeout, progress: progress))
    }

    public func receive(_ request: HTTPRequest, stallTimeout: Duration, progress: ((TransferProgress) -> Void)?,
                        into sink: (UnsafeRawBufferPointer) throws -> Void) throws -> HTTPResponse {
        try withoutActuallyEscaping(sink) { sink in
            try perform(Transfer(request: request, stallTimeout: stallTimeout, progress: progress, sink: sink))
        }
    }

    /// One exchange as `perform` carries it out.
    private struct Transfer {
        var request: HTTPRequest
        var form: MultipartForm? = nil
        var stallTimeout: Duration? = nil
        var progress: ((TransferProgress) -> Void)? = nil
        var sink: ((UnsafeRawBufferPointer) throws -> Void)? = nil
    }

    private func perform(_ transfer: Transfer) throws -> HTTPResponse {
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
            return try Self.perform(transfer, on: slot!, options: options)
        }
    }

    private static func perform(_ transfer: Transfer, on easy: EasyHandle, options: Options) throws -> HTTPResponse {
        let curl = easy.raw
        // Reset forgets the previous request's options but keeps open connections and caches.
        curl_easy_reset(curl)
        let request = transfer.request
        let origin = URLOrigin.of(request.url)
        func set(_ code: CURLcode, _ option: String) throws {
            guard code == CURLE_OK else {
                throw FleetClientError(kind: .transport, title: "cannot prepare request to \(origin)",
                                       detail: "libcurl rejected \(option): \(String(cString: curl_easy_strerror(code)))")
            }
        }

        // A form waits for `100 Continue`, so that a refused upload is answered before its body is sent.
        let expect = transfer.form == nil ? "Expect:" : "Expect: 100-continue"
        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        defer { curl_slist_free_all(headerList) }
        for line in request.headers.map({ "\($0.name): \($0.value)" }) + [expect] {
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
        if let stall = transfer.stallTimeout {
            // Below one byte per second for the whole window counts as stalled.
            try set(fleet_curl_set_long(curl, CURLOPT_LOW_SPEED_LIMIT, 1), "LOW_SPEED_LIMIT")
            try set(fleet_curl_set_long(curl, CURLOPT_LOW_SPEED_TIME, max(1, stall.roundedUpMilliseconds / 1000)), "LOW_SPEED_TIME")
        }

        let method = request.method
        var mime: CurlMime?
        if let form = transfer.form {
            mime = try CurlMime(form, easy: curl)
            try set(fleet_curl_set_mime(curl, mime!.raw), "MIMEPOST")
            if method != .post { try set(fleet_curl_set_str(curl, CURLOPT_CUSTOMREQUEST, method.rawValue), "CUSTOMREQUEST") }
        } else if request.body != nil || method == .post || method == .put || method == .patch {
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

        let collector = ResponseCollector(limit: options.maximumResponseBytes, sink: transfer.sink, progress: transfer.progress)
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
        if transfer.progress != nil {
            try set(fleet_curl_set_long(curl, CURLOPT_NOPROGRESS, 0), "NOPROGRESS")
            try set(fleet_curl_set_progress(curl) { context, downloadTotal, downloaded, uploadTotal, uploaded in
                let collector = Unmanaged<ResponseCollector>.fromOpaque(context!).takeUnretainedValue()
                collector.progress?(TransferProgress(uploaded: Int64(uploaded), uploadTotal: Int64(uploadTotal),
                                                     downloaded: Int64(downloaded), downloadTotal: Int64(downloadTotal)))
                return 0
            }, "XFERINFOFUNCTION")
            try set(fleet_curl_set_ptr(curl, CURLOPT_XFERINFODATA, context), "XFERINFODATA")
        }

        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let code = withExtendedLifetime((collector, mime)) {
            errorBuffer.withUnsafeMutableBufferPointer { buffer -> CURLcode in
                _ = fleet_curl_set_ptr(curl, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(buffer.baseAddress))
                let code = curl_easy_perform(curl)
                _ = fleet_curl_set_ptr(curl, CURLOPT_ERRORBUFFER, nil)
                // The handle must not point at the form once it is freed.
                if mime != nil { _ = fleet_curl_set_mime(curl, nil) }
                return code
            }
        }
        mime = nil

        if let error = collector.sinkError { throw error }
        guard code == CURLE_OK else {
            let curlMessage = errorBuffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw failure(code, origin: origin, curl: curl, curlMessage: curlMessage, transfer: transfer,
                          overflowed: collector.overflowed, limit: options.maximumResponseBytes)
        }
        var status = 0
        _ = fleet_curl_get_long(curl, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: collector.headers, body: collector.body)
    }

    private static func failure(_ code: CURLcode, origin: String, curl: UnsafeMutableRawPointer, curlMessage: String,
                                transfer: Transfer, overflowed: Bool, limit: Int) -> FleetClientError {
        if overflowed {
            return FleetClientError(kind: .transport, title: "answer from \(origin) is too large", detail: "more than \(limit) bytes")
        }
        if code == CURLE_OPERATION_TIMEDOUT {
            // LOW_SPEED_TIME and TIMEOUT_MS both end with this code; the message tells which fired.
            let detail: String
            if let stall = transfer.stallTimeout, curlMessage.contains("too slow") {
                detail = "no progress for \(DurationText.format(stall))"
            } else {
                detail = "timed out after \(DurationText.format(transfer.request.timeout))"
            }
            return FleetClientError(kind: .transport, title: "no answer from \(origin)", detail: detail)
        }
        if code == CURLE_READ_ERROR, transfer.form != nil {
            return FleetClientError(kind: .transport, title: "cannot send upload to \(origin)",
                                    detail: curlMessage.isEmpty ? "a file of the form could not be read" : curlMessage)
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
// @unchecked Sendable: CurlTransport touches the handle only while holding its lock.
private final class EasyHandle: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer
    init(_ raw: UnsafeMutableRawPointer) { self.raw = raw }
    deinit { curl_easy_cleanup(raw) }
}

/// Gathers one answer's headers and body from libcurl's callbacks, on the thread running `perform`.
private final class ResponseCollector {
    let limit: Int
    /// Takes the body of a 2xx answer instead of `body`.
    let sink: ((UnsafeRawBufferPointer) throws -> Void)?
    let progress: ((TransferProgress) -> Void)?
    var body: [UInt8] = []
    var headers: [(name: String, value: String)] = []
    /// From the latest status line.
    var status = 0
    var overflowed = false
    var sinkError: (any Error)?

    init(limit: Int, sink: ((UnsafeRawBufferPointer) throws -> Void)?, progress: ((TransferProgress) -> Void)?) {
        self.limit = limit
        self.sink = sink
        self.progress = progress
    }

    /// False stops the transfer.
    func appendBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if let sink, (200..<300).contains(status) {
            do { try sink(bytes) } catch {
                sinkError = error
                return false
            }
            return true
        }
        guard body.count + bytes.count <= limit else {
            overflowed = true
            return false
        }
        body.append(contentsOf: bytes)
        return true
    }

    func appendHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        let line = String(decoding: bytes, as: UTF8.self).trimmed
        if line.hasPrefix("HTTP/") {
            headers = []  // a new response begins (after 100 Continue or a redirect)
            let fields = line.split(separator: " ", maxSplits: 2)
            status = fields.count >= 2 ? Int(fields[1]) ?? 0 : 0
        } else if let colon = line.firstIndex(of: ":") {
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmed))
        }
    }
}
