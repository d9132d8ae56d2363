/// A failure talking to PostgreSQL, safe to log: it never carries SQL text or bound values.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    /// Where the failure happened.
    public enum Kind: Sendable {
        /// Connecting failed or the connection was lost.
        case connection
        /// The server rejected a statement.
        case query
        /// A value could not be converted to the requested Swift type.
        case decoding
        /// No pooled connection became free within the acquire timeout.
        case poolTimeout
    }

    public let kind: Kind
    /// The SQLSTATE code, e.g. `23505`; nil when the failure did not come from the server.
    public let sqlState: String?
    /// The server's primary message, or the reason for a client-side failure.
    public let message: String
    /// The server's detail message; it may quote row values, so `description` leaves it out.
    public let detail: String?
    /// The name of the violated constraint, if any.
    public let constraint: String?

    public init(kind: Kind, message: String, sqlState: String? = nil, detail: String? = nil, constraint: String? = nil) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.constraint = constraint
    }

    /// True for `unique_violation` (23505).
    public var isUniqueViolation: Bool { sqlState == "23505" }

    /// True when the database cannot be reached or is shutting down, so retrying later may succeed.
    public var isUnavailable: Bool {
        switch kind {
        case .connection, .poolTimeout: return true
        case .query, .decoding: break
        }
        guard let sqlState else { return false }
        return sqlState.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(sqlState)
    }

    public var description: String {
        var text = "PostgreSQL \(kind) error"
        if let sqlState { text += " [\(sqlState)]" }
        text += ": \(message)"
        if let constraint { text += " (constraint \(constraint))" }
        return text
    }
}
