internal import CMicroHTTPD
import Glibc

/// The C entry points handed to libmicrohttpd; each recovers the `ServerCore` from its `cls` pointer.
extension ServerCore {
    static let accessCallback: MHD_AccessHandlerCallback = { cls, connection, url, method, _, uploadData, uploadDataSize, slot in
        guard let cls, let connection, let uploadDataSize, let slot else { return MHD_Result.NO }
        let core = Unmanaged<ServerCore>.fromOpaque(cls).takeUnretainedValue()
        let handled = core.access(
            connection: Connection(pointer: connection), method: method, url: url,
            uploadData: uploadData, uploadDataSize: uploadDataSize, slot: slot)
        return handled ? MHD_Result.YES : MHD_Result.NO
    }

    /// .URI_LOG_CALLBACK: called once per request with the target as sent; its result becomes `con_cls`.
    static let requestLineCallback: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?, OpaquePointer?) -> UnsafeMutableRawPointer? = { cls, target, _ in
        guard let cls else { return nil }
        let core = Unmanaged<ServerCore>.fromOpaque(cls).takeUnretainedValue()
        return core.openRequest(rawTarget: target.map { String(cString: $0) })
    }

    /// .NOTIFY_COMPLETED: called once per request that reached the request-line callback or the handler.
    static let completedCallback: MHD_RequestCompletedCallback = { cls, _, slot, _ in
        guard let cls else { return }
        Unmanaged<ServerCore>.fromOpaque(cls).takeUnretainedValue().closeRequest(slot)
    }

    /// .EXTERNAL_LOGGER.
    static let logCallback: MHD_LogCallback = { cls, format, arguments in
        guard let cls, let format, let arguments else { return }
        var buffer = [CChar](repeating: 0, count: 1024)
        _ = vsnprintf(&buffer, buffer.count, format, arguments)
        Unmanaged<ServerCore>.fromOpaque(cls).takeUnretainedValue().log.record(String(nulTerminated: buffer))
    }
}
