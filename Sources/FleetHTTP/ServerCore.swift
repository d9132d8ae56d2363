internal import CMicroHTTPD
import Synchronization

/// What libmicrohttpd's callbacks reach through their `cls` pointer: the configuration, the handler and the
/// bookkeeping of live requests and long-polls. Outlives the daemon (`MicroHTTPDaemon` retains it).
final class ServerCore: Sendable {
    let configuration: ServerConfiguration
    let handler: @Sendable (Request) -> HandlerResult
    let longPolls = LongPollRegistry()
    let log = DaemonLog()
    private let liveContexts = Atomic<Int>(0)

    init(configuration: ServerConfiguration, handler: @escaping @Sendable (Request) -> HandlerResult) {
        self.configuration = configuration
        self.handler = handler
    }

    /// Requests whose context exists: from the request line until the completion callback.
    var liveRequestCount: Int {
        liveContexts.load(ordering: .relaxed)
    }

    /// Creates the context for a new request; the returned retained pointer becomes MHD's `con_cls`.
    func openRequest(rawTarget: String?) -> UnsafeMutableRawPointer {
        liveContexts.add(1, ordering: .relaxed)
        return Unmanaged.passRetained(RequestContext(rawTarget: rawTarget)).toOpaque()
    }

    /// The completion callback: ends a long-poll still running and releases the context.
    func closeRequest(_ slot: UnsafeMutablePointer<UnsafeMutableRawPointer?>?) {
        guard let slot, let opaque = slot.pointee else { return }
        slot.pointee = nil
        let context = Unmanaged<RequestContext>.fromOpaque(opaque).takeRetainedValue()
        context.session?.finish()
        context.session = nil
        liveContexts.subtract(1, ordering: .relaxed)
    }

    /// The access handler: collects the body, then calls the handler once and answers or suspends.
    func access(
        connection: Connection,
        method: UnsafePointer<CChar>?,
        url: UnsafePointer<CChar>?,
        uploadData: UnsafePointer<CChar>?,
        uploadDataSize: UnsafeMutablePointer<Int>,
        slot: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    ) -> Bool {
        if slot.pointee == nil {
            slot.pointee = openRequest(rawTarget: nil)
        }
        guard let opaque = slot.pointee else { return false }
        let context = Unmanaged<RequestContext>.fromOpaque(opaque).takeUnretainedValue()

        if let session = context.session {
            return conclude(session.run(), of: session, on: connection)
        }
        if !context.headersSeen {
            context.headersSeen = true
            return beginBody(of: context, on: connection)
        }
        if uploadDataSize.pointee > 0 {
            appendBody(uploadData, count: uploadDataSize.pointee, to: context)
            uploadDataSize.pointee = 0
            return true
        }
        if context.bodyTooLarge {
            return queue(tooLargeResponse(), on: connection)
        }
        let request = Request(
            method: method.map { String(cString: $0) } ?? "",
            path: context.rawPath ?? url.map { String(cString: $0) } ?? "/",
            query: connection.queryArguments(),
            headers: connection.headers(),
            body: context.body,
            remoteAddress: connection.remoteAddress()
        )
        context.body = []
        switch handler(request) {
        case .respond(let response):
            return queue(response, on: connection)
        case .suspend(let longPoll):
            let session = LongPollSession(longPoll: longPoll, connection: connection, registry: longPolls)
            context.session = session
            session.start()
            return conclude(session.run(), of: session, on: connection)
        }
    }

    /// First call for a request: refuse a declared oversized body before it is sent, else prepare the buffer.
    private func beginBody(of context: RequestContext, on connection: Connection) -> Bool {
        guard let declared = connection.declaredContentLength() else { return true }
        if declared > UInt64(max(configuration.maxBodyBytes, 0)) {
            context.bodyTooLarge = true
            // Queuing now makes MHD skip the upload and close afterwards; if it refuses, the body is
            // dropped as it arrives and 413 is sent at the end.
            _ = queue(tooLargeResponse(), on: connection)
            return true
        }
        context.body.reserveCapacity(Int(declared))
        return true
    }

    private func appendBody(_ data: UnsafePointer<CChar>?, count: Int, to context: RequestContext) {
        guard !context.bodyTooLarge, let data else { return }
        guard context.body.count + count <= configuration.maxBodyBytes else {
            context.bodyTooLarge = true
            context.body = []
            return
        }
        data.withMemoryRebound(to: UInt8.self, capacity: count) { bytes in
            context.body.append(contentsOf: UnsafeBufferPointer(start: bytes, count: count))
        }
    }

    private func conclude(_ outcome: LongPollSession.Outcome, of session: LongPollSession, on connection: Connection) -> Bool {
        switch outcome {
        case .respond(let response):
            let queued = queue(response, on: connection)
            session.finish()
            return queued
        case .suspended:
            return true
        case .close:
            return false
        }
    }

    private func tooLargeResponse() -> Response {
        configuration.errorResponder(
            413, "Content Too Large", "The request body exceeds \(configuration.maxBodyBytes) bytes.")
    }

    /// Queues `response`, replacing a status MHD cannot send with the error responder's 500.
    private func queue(_ response: Response, on connection: Connection) -> Bool {
        if (100...599).contains(response.status) {
            return connection.queue(response)
        }
        var replacement = configuration.errorResponder(
            500, "Internal Server Error", "The handler answered with an invalid status code.")
        if !(100...599).contains(replacement.status) {
            replacement = Response(status: 500)
        }
        return connection.queue(replacement)
    }
}
