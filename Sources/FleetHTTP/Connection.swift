internal import CMicroHTTPD
import Glibc

/// A libmicrohttpd connection handle. Valid from the first access-handler call until the completion callback;
/// `LongPollSession` guarantees `resume()` is only called on a connection that is suspended and therefore alive.
struct Connection: @unchecked Sendable {  // safe: an opaque handle; the only call made from foreign threads is MHD_resume_connection, which MHD allows with MHD_ALLOW_SUSPEND_RESUME
    let pointer: OpaquePointer

    func suspend() {
        MHD_suspend_connection(pointer)
    }

    func resume() {
        MHD_resume_connection(pointer)
    }

    /// Request header fields keyed by lower-cased name, repeated fields joined with ", ".
    func headers() -> [String: String] {
        var collected: [String: String] = [:]
        collectValues(of: .HEADER_KIND, into: &collected, joiningRepeats: true)
        return collected
    }

    /// Decoded query arguments; the first value of a repeated name wins.
    func queryArguments() -> [String: String] {
        var collected: [String: String] = [:]
        collectValues(of: .GET_ARGUMENT_KIND, into: &collected, joiningRepeats: false)
        return collected
    }

    /// The declared `Content-Length`, if present and numeric.
    func declaredContentLength() -> UInt64? {
        guard let value = MHD_lookup_connection_value(pointer, .HEADER_KIND, "Content-Length") else { return nil }
        return UInt64(String(cString: value).trimmingASCIISpaces())
    }

    /// The peer's IP address as text.
    func remoteAddress() -> String? {
        guard let address = fleet_mhd_client_address(pointer) else { return nil }
        return SocketAddress.describe(address)
    }

    /// Queues `response` (copying its body, or reading a streamed body as it is sent); false if MHD refused
    /// it, in which case the connection should close.
    func queue(_ response: Response) -> Bool {
        let created: OpaquePointer?
        if let streamed = response.streamedBody {
            created = StreamedBodyReader.makeResponse(streamed)
        } else {
            created = response.body.withUnsafeBytes { bytes in
                MHD_create_response_from_buffer(bytes.count, UnsafeMutableRawPointer(mutating: bytes.baseAddress), .RESPMEM_MUST_COPY)
            }
        }
        guard let created else { return false }
        defer { MHD_destroy_response(created) }
        for field in response.headers where Self.isSafeHeader(name: field.name, value: field.value) {
            _ = MHD_add_response_header(created, field.name, field.value)
        }
        return MHD_queue_response(pointer, UInt32(response.status), created) == MHD_Result.YES
    }

    private struct Collector {
        var values: [String: String]
        let joiningRepeats: Bool
        let lowercasingNames: Bool
    }

    private func collectValues(of kind: MHD_ValueKind, into values: inout [String: String], joiningRepeats: Bool) {
        var collector = Collector(values: [:], joiningRepeats: joiningRepeats, lowercasingNames: joiningRepeats)
        withUnsafeMutablePointer(to: &collector) { collectorPointer in
            _ = MHD_get_connection_values(pointer, kind, { cls, _, key, value in
                guard let cls, let key else { return MHD_Result.YES }
                let collector = cls.assumingMemoryBound(to: Collector.self)
                var name = String(cString: key)
                if collector.pointee.lowercasingNames { name = name.lowercased() }
                let text = value.map { String(cString: $0) } ?? ""
                if let existing = collector.pointee.values[name] {
                    if collector.pointee.joiningRepeats { collector.pointee.values[name] = existing + ", " + text }
                } else {
                    collector.pointee.values[name] = text
                }
                return MHD_Result.YES
            }, collectorPointer)
        }
        values = collector.values
    }

    private static func isSafeHeader(name: String, value: String) -> Bool {
        guard !name.isEmpty else { return false }
        let forbiddenInName: Set<UInt8> = [0, 9, 10, 13, 32, UInt8(ascii: ":")]
        let forbiddenInValue: Set<UInt8> = [0, 10, 13]
        return !name.utf8.contains(where: forbiddenInName.contains) && !value.utf8.contains(where: forbiddenInValue.contains)
    }
}
