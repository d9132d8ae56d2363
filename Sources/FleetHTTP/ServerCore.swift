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

    /// The access handler: collects (or streams) the body, then calls the handler once and answers or suspends.
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
        guard let head = context.head else {
            let head = RequestHead(
                method: method.map { String(cString: $0) } ?? "",
                path: context.rawPath ?? url.map { String(cString: $0) } ?? "/",
                query: connection.queryArguments(),
                headers: connection.headers(),
                remoteAddress: connection.remoteAddress())
            context.head = head
            return beginBody(of: context, head: head, on: connection)
        }
        if uploadDataSize.pointee > 0 {
            if let uploadData {
                let bytes = UnsafeRawBufferPointer(start: UnsafeRawPointer(uploadData), count: uploadDataSize.pointee)
                if context.streaming {
                    stream(bytes, to: context)
                } else {
                    appendBody(bytes, to: context)
                }
            }
            uploadDataSize.pointee = 0
            return true
        }
        if let refusal = context.refusal {
            return queue(refusal, on: connection)
        }
        let request = Request(
            method: head.method,
            path: head.path,
            query: head.query,
            headers: head.headers,
            body: context.body,
            remoteAddress: head.remoteAddress,
            upload: context.streaming ? finishUpload(of: context) : nil
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

    /// First call for a request: asks where the body goes, refuses a declared oversized body before it is
    /// sent, else prepares the buffer.
    private func beginBody(of context: RequestContext, head: RequestHead, on connection: Connection) -> Bool {
        let limit: Int
        switch configuration.bodyDisposition(head) {
        case .buffer:
            limit = configuration.maxBodyBytes
        case .stream(let sink):
            context.streaming = true
            context.sink = sink
            limit = configuration.maxUploadBytes
        case .reject(let response):
            return refuse(context, with: response, on: connection)
        }
        guard let declared = connection.declaredContentLength() else { return true }
        if declared > UInt64(max(limit, 0)) {
            return refuse(context, with: tooLargeResponse(limit: limit), on: connection)
        }
        if !context.streaming {
            context.body.reserveCapacity(Int(declared))
        }
        return true
    }

    /// Settles the answer before the body is read. Queuing now makes MHD skip the upload and close afterwards;
    /// if it refuses, the body is dropped as it arrives and the answer is sent at the end.
    private func refuse(_ context: RequestContext, with response: Response, on connection: Connection) -> Bool {
        context.refusal = response
        context.sink = nil
        _ = queue(response, on: connection)
        return true
    }

    private func appendBody(_ bytes: UnsafeRawBufferPointer, to context: RequestContext) {
        guard context.refusal == nil else { return }
        guard context.body.count + bytes.count <= configuration.maxBodyBytes else {
            context.refusal = tooLargeResponse(limit: configuration.maxBodyBytes)
            context.body = []
            return
        }
        context.body.append(contentsOf: bytes)
    }

    /// Hands a piece of a streamed body to the sink; past the upload limit the sink is dropped and 413 is due.
    private func stream(_ bytes: UnsafeRawBufferPointer, to context: RequestContext) {
        guard context.refusal == nil else { return }
        context.streamedBytes += bytes.count
        guard context.streamedBytes <= configuration.maxUploadBytes else {
            context.refusal = tooLargeResponse(limit: configuration.maxUploadBytes)
            context.sink = nil
            return
        }
        guard let sink = context.sink else { return }
        do {
            try sink.write(bytes)
        } catch {
            context.uploadFailure = error
            context.sink = nil
        }
    }

    /// The sink's result once the whole body is in; the sink is released either way.
    private func finishUpload(of context: RequestContext) -> Result<any Sendable, any Error> {
        defer { context.sink = nil }
        if let failure = context.uploadFailure {
            return .failure(failure)
        }
        guard let sink = context.sink else {
            return .failure(HTTPServerError(message: "the upload sink is gone"))
        }
        return Result { try sink.finish() }
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

    private func tooLargeResponse(limit: Int) -> Response {
        configuration.errorResponder(413, "Content Too Large", "The request body exceeds \(limit) bytes.")
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
