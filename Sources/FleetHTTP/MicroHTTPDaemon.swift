internal import CMicroHTTPD
import Glibc

/// The one owner of a running `MHD_Daemon`; `deinit` stops it. Callers must resume every suspended
/// connection before releasing it (MHD forbids stopping with suspended connections).
final class MicroHTTPDaemon {
    private let daemon: OpaquePointer
    private let core: ServerCore
    private var quiescedListenSocket: Int32 = -1
    let port: Int

    /// Starts listening per `core.configuration` on `port` with one polling thread; throws with MHD's
    /// diagnostics when it cannot.
    /// - Parameter sharedPort: when true the socket is opened with SO_REUSEPORT, so several daemons listen on
    ///   the same port and the kernel spreads new connections across them.
    init(core: ServerCore, port requestedPort: Int, sharedPort: Bool) throws {
        let configuration = core.configuration
        self.core = core
        _ = core.log.drain()
        let started: OpaquePointer? = try SocketAddress.withSockaddr(host: configuration.host, port: requestedPort) { address, family in
            let flags = Self.flags(for: family, host: configuration.host)
            let cls = Unmanaged.passUnretained(core).toOpaque()
            var options = [
                MHD_OptionItem(option: .EXTERNAL_LOGGER, value: Self.intptr(ServerCore.logCallback), ptr_value: cls),
                MHD_OptionItem(option: .URI_LOG_CALLBACK, value: Self.intptr(ServerCore.requestLineCallback), ptr_value: cls),
                MHD_OptionItem(option: .NOTIFY_COMPLETED, value: Self.intptr(ServerCore.completedCallback), ptr_value: cls),
                MHD_OptionItem(option: .SOCK_ADDR, value: 0, ptr_value: UnsafeMutableRawPointer(mutating: address)),
                MHD_OptionItem(option: .CONNECTION_LIMIT, value: max(configuration.connectionLimit, 1), ptr_value: nil),
                MHD_OptionItem(option: .CONNECTION_TIMEOUT, value: max(configuration.idleTimeoutSeconds, 0), ptr_value: nil),
                MHD_OptionItem(option: .LISTEN_BACKLOG_SIZE, value: 4096, ptr_value: nil),
            ]
            if sharedPort {
                options.append(MHD_OptionItem(option: .LISTENING_ADDRESS_REUSE, value: 1, ptr_value: nil))
            }
            options.append(MHD_OptionItem(option: .END, value: 0, ptr_value: nil))
            return options.withUnsafeBufferPointer { items in
                fleet_mhd_start(flags, UInt16(requestedPort), ServerCore.accessCallback, cls, items.baseAddress)
            }
        }
        guard let started else {
            let reasons = core.log.drain()
            let reason = reasons.isEmpty ? "libmicrohttpd refused to start" : reasons.joined(separator: "; ")
            throw HTTPServerError(message: "cannot listen on \(configuration.host):\(requestedPort): \(reason)")
        }
        daemon = started
        port = Int(fleet_mhd_bound_port(started))
    }

    /// Stops accepting connections; established ones keep being served.
    func quiesce() {
        guard quiescedListenSocket < 0 else { return }
        quiescedListenSocket = MHD_quiesce_daemon(daemon)
    }

    deinit {
        MHD_stop_daemon(daemon)
        // MHD hands the listening socket over on quiesce; it may only be closed after the daemon stopped.
        if quiescedListenSocket >= 0 {
            close(quiescedListenSocket)
        }
    }

    private static func flags(for family: SocketAddress.Family, host: String) -> UInt32 {
        var flags = MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_ALLOW_SUSPEND_RESUME.rawValue
            | MHD_USE_ERROR_LOG.rawValue
        flags |= MHD_is_feature_supported(.FEATURE_EPOLL) == MHD_Result.YES ? MHD_USE_EPOLL.rawValue : MHD_USE_POLL.rawValue
        if family == .ipv6 {
            flags |= host == "::" ? MHD_USE_DUAL_STACK.rawValue : MHD_USE_IPv6.rawValue
        }
        return flags
    }

    private static func intptr<Function>(_ function: Function) -> Int {
        unsafeBitCast(function, to: Int.self)
    }
}
