import Foundation
import FleetCore
import FleetJSON
import FleetPostgres

/// Policies and their revisions in PostgreSQL.
enum PolicyStore {
    static let columns: Query = "name, revision, document::text AS document, created_at, updated_at"

    struct Current: Sendable {
        let name: String
        let revision: Int
        let document: PolicyDocument
        let createdAt: Date
        let updatedAt: Date

        var json: JSON {
            ["name": .string(name), "revision": .int(Int64(revision)), "document": document.json,
             "created_at": createdAt.json, "updated_at": updatedAt.json]
        }
    }

    static func current(from row: Row) throws -> Current {
        Current(name: try row.decode("name"), revision: try row.decode("revision"),
                document: try PolicyDocument(json: JSON.parse(Array(try row.decode("document", as: String.self).utf8))),
                createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"))
    }

    static func get(_ name: String, on connection: PostgresConnection, lock: Bool = false) throws -> Current? {
        try connection.query("SELECT \(columns) FROM policies WHERE name = \(name)\(lock ? " FOR UPDATE" as Query : "")").first.map(current(from:))
    }

    /// Serialises writers of one policy name, also before the policy exists.
    static func lockName(_ name: String, on connection: PostgresConnection) throws {
        try connection.query("SELECT pg_advisory_xact_lock(hashtextextended(\("policy:" + name), 0))")
    }

    /// Stores `document` as revision `revision` of `name` and what it references; queues its rendering.
    static func store(_ name: String, revision: Int, document: PolicyDocument, references: PolicyReferences, actor: String,
                      on connection: PostgresConnection) throws -> Current {
        let text = document.json.serialized()
        try connection.query("""
            INSERT INTO policy_revisions (policy, revision, document, created_by) VALUES (\(name), \(revision), \(text)::jsonb, \(actor))
            """)
        let row = try connection.query("""
            INSERT INTO policies (name, revision, document) VALUES (\(name), \(revision), \(text)::jsonb)
            ON CONFLICT (name) DO UPDATE SET revision = EXCLUDED.revision, document = EXCLUDED.document, updated_at = now()
            RETURNING \(columns)
            """).first!
        try connection.query("DELETE FROM policy_artifacts WHERE policy = \(name)")
        let artifacts = references.artifactIDs
        if !artifacts.isEmpty {
            try connection.query("""
                INSERT INTO policy_artifacts (policy, kind, artifact_id)
                SELECT \(name), k, a FROM unnest(\(artifacts.map(\.kind))::text[], \(artifacts.map(\.id))::uuid[]) AS u(k, a)
                ON CONFLICT DO NOTHING
                """)
        }
        try queueRender(name, on: connection)
        return try current(from: row)
    }

    static func queueRender(_ name: String, on connection: PostgresConnection) throws {
        try connection.query("""
            INSERT INTO policy_renders (policy) VALUES (\(name)) ON CONFLICT (policy) DO UPDATE SET requested_at = now()
            """)
    }

    /// The policy that uses registry row `id` in its current revision, if any.
    static func user(of id: UUID, on connection: PostgresConnection) throws -> String? {
        try connection.query("SELECT policy FROM policy_artifacts WHERE artifact_id = \(id) ORDER BY policy LIMIT 1").first?.decode("policy")
    }
}
