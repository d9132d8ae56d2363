import FleetCore
import FleetJSON
import FleetPostgres

/// Records who changed what, inside the transaction that made the change.
enum AuditLog {
    static func record(_ connection: PostgresConnection, actor: Principal, action: String, targetType: String,
                       targetID: String?, details: JSON = [:]) throws {
        try connection.query("""
            INSERT INTO audit_log (actor, actor_role, action, target_type, target_id, details)
            VALUES (\(actor.actor), \(actor.role.rawValue), \(action), \(targetType), \(targetID), \(details.serialized())::jsonb)
            """)
    }

    /// Same, for callers that are not yet principals (an executor enrolling).
    static func record(_ connection: PostgresConnection, actorName: String, role: String, action: String,
                       targetType: String, targetID: String?, details: JSON = [:]) throws {
        try connection.query("""
            INSERT INTO audit_log (actor, actor_role, action, target_type, target_id, details)
            VALUES (\(actorName), \(role), \(action), \(targetType), \(targetID), \(details.serialized())::jsonb)
            """)
    }
}
