import Foundation
internal import CLibPQ

extension PostgresError {
    /// Builds the error for a failed `PGresult` (or a missing one), reading the diagnostic fields.
    init(result: OpaquePointer?, connection: OpaquePointer?) {
        let lost = connection.map { PQstatus($0) != CONNECTION_OK } ?? true
        guard let result else {
            self.init(kind: lost ? .connection : .query, message: Self.connectionMessage(connection))
            return
        }
        func field(_ code: Character) -> String? {
            guard let value = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
            return String(cString: value)
        }
        let message = field("M") ?? Self.connectionMessage(connection)
        self.init(kind: lost ? .connection : .query, message: message,
                  sqlState: field("C"), detail: field("D"), constraint: field("n"))
    }

    /// The connection's last error text (`PQerrorMessage`), trimmed.
    static func connectionMessage(_ connection: OpaquePointer?) -> String {
        guard let connection, let text = PQerrorMessage(connection) else { return "no connection" }
        let message = String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
        return message.isEmpty ? "connection failed" : message
    }
}
