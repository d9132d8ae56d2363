internal import CLibPQ

extension PostgresConnection {
    /// The socket to poll for readability, or -1 when closed.
    var socketDescriptor: Int32 {
        handle.map { PQsocket($0) } ?? -1
    }

    /// Reads whatever the server sent (non-blocking).
    /// - Throws: `PostgresError` of kind `.connection` when the connection is lost.
    func consumeInput() throws {
        guard let handle, PQconsumeInput(handle) == 1, PQstatus(handle) == CONNECTION_OK else {
            throw PostgresError(kind: .connection, message: PostgresError.connectionMessage(handle))
        }
    }

    /// The next received notification, if any.
    func nextNotification() -> (channel: String, payload: String)? {
        guard let handle, let notification = PQnotifies(handle) else { return nil }
        defer { PQfreemem(notification) }
        return (String(cString: notification.pointee.relname), String(cString: notification.pointee.extra))
    }
}
