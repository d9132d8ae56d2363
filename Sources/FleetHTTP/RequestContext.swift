/// Per-request state stored in MHD's `con_cls`: created when the request line arrives, released by the
/// completion callback. Only the worker thread that owns the connection touches it, so it needs no lock.
final class RequestContext {
    /// The request target exactly as sent (path and query, percent-encoded), if MHD reported it.
    let rawTarget: String?
    /// Whether the access handler has seen this request's headers yet.
    var headersSeen = false
    var body: [UInt8] = []
    /// The body exceeded the limit; the rest of it is dropped and the request is answered with 413.
    var bodyTooLarge = false
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
