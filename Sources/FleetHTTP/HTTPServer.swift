import Glibc
import Synchronization

/// An HTTP/1.1 server on libmicrohttpd: worker threads call `handler` synchronously for each request;
/// long-polls suspend their connection and hold no thread.
///
/// Each worker is a daemon of its own with one polling thread, all listening on the same port with
/// SO_REUSEPORT. The kernel then spreads connections evenly; with MHD's thread pool on one shared socket,
/// a burst of keep-alive connections could all land on one worker while the others idled.
public final class HTTPServer: Sendable {
    private enum Lifecycle {
        case idle
        case running([MicroHTTPDaemon])
        case stopped
    }

    let core: ServerCore
    private let lifecycle = Mutex(Lifecycle.idle)
    private let boundPort = Atomic<Int>(0)

    /// - Parameters:
    ///   - configuration: where to listen and what to accept.
    ///   - handler: called on a worker thread once per fully received request; it must not block for long
    ///     (a long wait belongs in `.suspend`) and must not trap.
    public init(configuration: ServerConfiguration, handler: @escaping @Sendable (Request) -> HandlerResult) {
        core = ServerCore(configuration: configuration, handler: handler)
    }

    deinit {
        stop()
    }

    /// Binds and starts serving.
    /// - Throws: `HTTPServerError` when the host is not an IP literal, the port is taken, or MHD refuses to
    ///   start; also when the server was already started (a stopped server cannot be restarted).
    public func start() throws {
        try lifecycle.withLock { lifecycle in
            guard case .idle = lifecycle else {
                throw HTTPServerError(message: "the server was already started")
            }
            let workers = max(core.configuration.threads, 1)
            let first = try MicroHTTPDaemon(core: core, port: core.configuration.port, sharedPort: workers > 1)
            var daemons = [first]
            for _ in 1..<workers {
                daemons.append(try MicroHTTPDaemon(core: core, port: first.port, sharedPort: true))
            }
            boundPort.store(first.port, ordering: .relaxed)
            lifecycle = .running(daemons)
        }
    }

    /// The bound port after `start()` (the chosen one when configured with 0); 0 before.
    public var port: Int {
        boundPort.load(ordering: .relaxed)
    }

    /// Long-polls currently held (registered and not yet finished).
    public var suspendedCount: Int {
        core.longPolls.count
    }

    /// Stops accepting, ends every held long-poll with its `timeout()` response, gives in-flight requests up to
    /// a second, then stops the daemon. Blocks until done; idempotent.
    public func stop() {
        let daemons: [MicroHTTPDaemon] = lifecycle.withLock { lifecycle in
            defer { lifecycle = .stopped }
            guard case .running(let daemons) = lifecycle else { return [] }
            return daemons
        }
        guard !daemons.isEmpty else { return }
        for daemon in daemons { daemon.quiesce() }
        for session in core.longPolls.beginStopping() {
            session.expire()
        }
        // Long-polls must all be resumed and answered before MHD_stop_daemon; their timeout() calls are quick.
        Self.wait(upTo: .seconds(10)) { core.longPolls.count == 0 }
        Self.wait(upTo: .seconds(1)) { core.liveRequestCount == 0 }
        _ = consume daemons  // the last references: MicroHTTPDaemon.deinit runs MHD_stop_daemon
    }

    private static func wait(upTo limit: Duration, until condition: () -> Bool) {
        let deadline = ContinuousClock.now + limit
        while !condition(), ContinuousClock.now < deadline {
            usleep(2_000)
        }
    }
}
