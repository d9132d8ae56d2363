import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A dedicated LISTEN connection served by its own thread (never the Swift concurrency pool).
///
/// After every successful (re)connect the channels are listened to again and `onReconnect` is
/// called: notifications sent while disconnected are lost, so callers should resynchronise.
/// Callbacks run on the listener thread and should return quickly.
public final class PostgresListener: Sendable {
    private struct State {
        var finished: DispatchSemaphore?
        var stopRequested = false
    }

    private let conninfo: String
    private let channels: [String]
    private let onNotification: @Sendable (_ channel: String, _ payload: String) -> Void
    private let onReconnect: @Sendable () -> Void
    private let state = Mutex(State())

    public init(conninfo: String, channels: [String],
                onNotification: @escaping @Sendable (_ channel: String, _ payload: String) -> Void,
                onReconnect: @escaping @Sendable () -> Void) {
        self.conninfo = conninfo
        self.channels = channels
        self.onNotification = onNotification
        self.onReconnect = onReconnect
    }

    /// Starts the listener thread; does nothing if it is already running.
    public func start() {
        let finished = DispatchSemaphore(value: 0)
        let started = state.withLock { state -> Bool in
            guard state.finished == nil else { return false }
            state.finished = finished
            state.stopRequested = false
            return true
        }
        guard started else { return }
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = "fleet-pg-listener"
        thread.start()
    }

    /// Stops the listener thread and waits until it has closed its connection.
    public func stop() {
        guard let finished = state.withLock({ state -> DispatchSemaphore? in
            state.stopRequested = true
            return state.finished
        }) else { return }
        finished.wait()
        finished.signal()  // let any concurrent stop() through as well
        state.withLock { state in
            if state.finished === finished { state.finished = nil }
        }
    }

    private var stopRequested: Bool {
        state.withLock { $0.stopRequested }
    }

    private func run() {
        var backoff = 0.1
        while !stopRequested {
            if let connection = try? connect() {
                backoff = 0.1
                onReconnect()
                serve(connection)
                connection.close()
            } else {
                pause(backoff)
                backoff = min(backoff * 2, 2)
            }
        }
    }

    private func connect() throws -> PostgresConnection {
        let connection = try PostgresConnection(conninfo: conninfo)
        for channel in channels {
            try connection.execute(unsafeSQL: "LISTEN \"\(channel.replacingOccurrences(of: "\"", with: "\"\""))\"")
        }
        return connection
    }

    /// Delivers notifications until the connection fails or a stop is requested.
    private func serve(_ connection: PostgresConnection) {
        while !stopRequested {
            var descriptor = pollfd(fd: connection.socketDescriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 250) >= 0 || errno == EINTR else { return }
            do {
                try connection.consumeInput()
            } catch {
                return
            }
            while let notification = connection.nextNotification() {
                onNotification(notification.channel, notification.payload)
            }
        }
    }

    /// Sleeps in short slices so a stop request is noticed quickly.
    private func pause(_ seconds: Double) {
        let deadline = Date(timeIntervalSinceNow: seconds)
        while !stopRequested, Date() < deadline {
            Thread.sleep(forTimeInterval: min(0.05, max(0, deadline.timeIntervalSinceNow)))
        }
    }
}
