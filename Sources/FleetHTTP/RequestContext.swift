/// Per-request state stored in MHD's `con_cls`: created when the request line arrives, released by the
/// completion callback. Only the worker thread that owns the connection touches it, so it needs no lock.
final class RequestContext {
    /// The request target exactly as sent (path and query, percent-encoded), if MHD reported it.
    let rawTarget: String?
    /// Method, path, query and header fields, collected when the access handler first sees the request.
    var head: RequestHead?
    var body: [UInt8] = []
    /// The final answer, decided before the body was read (413, a rejection) or when it exceeded its limit;
    /// the rest of the body is dropped and the handler is not called.
    var refusal: Response?
    /// Where a streamed body goes; nil once it finished or failed.
    var sink: (any UploadSink)?
    /// Whether the body is streamed (to `sink`, while it lasts).
    var streaming = false
    /// Bytes of a streamed body received so far.
    var streamedBytes = 0
    /// What `sink.write` threw; the rest of the body is dropped.
    var uploadFailure: (any Error)?
    /// Set once the handler answered `.suspend`.
    var session: LongPollSession?

    init(rawTarget: String?) {
        self.rawTarget = rawTarget
    }

    /// The path part of the raw target, without the query string.
    var rawPath: String? {
        guard let rawTarget else { return nil }
        if let question = rawTarget.firstIndex(of: "?") {
            return String(rawTarget[..<question])
        }
        return rawTarget
    }
}
