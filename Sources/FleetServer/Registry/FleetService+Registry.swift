import FleetCore
import FleetHTTP
import FleetJSON
import FleetPostgres
import Foundation

/// The flows every registry (programs, models) shares; each registry's handlers pass its `Registry` and, for
/// uploads, its validation.
extension FleetService {
    /// What validation of an upload found: the parsed document (nil when none was sent) and the summary.
    struct Validated {
        var document: JSON?
        var summary: JSON
    }

    /// `POST /v1/<registry>`: the multipart upload was streamed to a staged file by `ArtifactUploadSink`; here
    /// the name, version and signature are checked, `validate` reads the staged artifact and the document, and
    /// the artifact is copied into PostgreSQL in chunks (unless the same bytes are stored already) and registered.
    func register<ID>(_ context: RequestContext, in registry: Registry<ID>,
                      validate: (ArtifactUpload) throws -> Validated) throws -> HandlerResult {
        let upload = try context.upload(as: ArtifactUpload.self)
        try Registry<ID>.checkName(upload.name)
        try Registry<ID>.checkVersion(upload.version)
        let signature = try upload.signature.flatMap { $0.isEmpty ? nil : try ProgramSignature(base64: $0) }
        guard let digest = ArtifactDigest(hex: upload.sha256) else {
            throw APIError(status: 500, title: "Internal Server Error", detail: "the server failed to hash the upload")
        }
        let validated = try validate(upload)

        let id = ID.random()
        let duplicate = APIError.conflict("\(registry.noun) \(upload.name)@\(upload.version) already exists; upload a new version")
        let row: Row
        do {
            row = try pool.transaction { connection -> Row in
                guard try connection.query("""
                    SELECT 1 FROM \(registry.table) WHERE name = \(upload.name) AND version = \(upload.version)
                    """).first == nil else { throw duplicate }
                let stored = try ArtifactStore.store(upload.artifact, digest: digest, mediaType: registry.mediaType, on: connection)
                try connection.query("""
                    INSERT INTO \(registry.table) (id, name, version, sha256, \(registry.documentColumn), \(registry.summaryColumn),
                                                   signature, created_by)
                    VALUES (\(id.rawValue), \(upload.name), \(upload.version), \(digest.hex),
                            \(validated.document?.serialized())::jsonb, \(validated.summary.serialized())::jsonb, \(signature?.base64),
                            \(context.principal.actor))
                    """)
                try AuditLog.record(connection, actor: context.principal, action: "\(registry.noun).create", targetType: registry.noun,
                                    targetID: id.description,
                                    details: ["name": .string(upload.name), "version": .string(upload.version),
                                              "sha256": .string(digest.hex), "size": .int(Int64(upload.artifact.size)),
                                              "signed": .bool(signature != nil), "artifact_reused": .bool(!stored)])
                return try registry.get(id, on: connection)!
            }
        } catch let error as PostgresError where error.isUniqueViolation {
            throw duplicate
        }
        metrics.increment("fleet_\(registry.noun)s_uploaded_total")
        return Reply.json(try registry.json(row), status: 201)
    }

    /// `GET /v1/<registry>?name=&limit=&cursor=`: upload order.
    func listRegistered<ID>(_ context: RequestContext, in registry: Registry<ID>) throws -> HandlerResult {
        let (limit, cursor) = try context.pagination(cursorArity: 2)
        var conditions: [Query] = ["TRUE"]
        if let name = context.request.query["name"], !name.isEmpty {
            conditions.append("r.name = \(name)")
        }
        if let cursor, let id = UUID(uuidString: cursor.values[1]) {
            conditions.append("(r.created_at, r.id) > (\(cursor.values[0])::timestamptz, \(id))")
        }
        let rows = try pool.query("""
            SELECT \(registry.columns) FROM \(registry.source) WHERE \(Query.joined(conditions, separator: " AND "))
            ORDER BY r.created_at, r.id LIMIT \(limit + 1)
            """).rows
        return try Self.page(rows, limit: limit, render: registry.json)
    }

    func getRegistered<ID>(_ context: RequestContext, in registry: Registry<ID>) throws -> HandlerResult {
        let id: ID = try context.id("id")
        guard let row = try pool.withConnection({ try registry.get(id, on: $0) }) else {
            throw APIError.notFound("\(registry.noun) \(id) does not exist")
        }
        return Reply.json(try registry.json(row))
    }

    /// `GET /v1/<registry>/{id}/<file>`: the artifact as uploaded, streamed from its chunks (Range and ETag as
    /// for `GET /v1/executor/artifacts/{sha256}`), named `<name>-<version>.<extension>`.
    func downloadRegistered<ID>(_ context: RequestContext, in registry: Registry<ID>) throws -> HandlerResult {
        let id: ID = try context.id("id")
        guard let row = try pool.query("SELECT name, version, sha256 FROM \(registry.table) WHERE id = \(id.rawValue)").first,
              let digest = ArtifactDigest(hex: try row.decode("sha256")) else {
            throw APIError.notFound("\(registry.noun) \(id) does not exist")
        }
        let filename = "\(try row.decode("name", as: String.self))-\(try row.decode("version", as: String.self)).\(registry.fileExtension)"
        return try artifactResponse(digest, for: context.request, headers: [("Content-Disposition", "attachment; filename=\"\(filename)\"")])
    }

    /// `DELETE /v1/<registry>/{id}`: 409 while a device may still hold it (see `DeploymentRule`); the artifact
    /// goes too when nothing else names its bytes.
    /// - Parameters:
    ///   - remedy: what frees it, for the 409's message ("a succeeded program.unload command with this program_id").
    func deleteRegistered<ID>(_ context: RequestContext, in registry: Registry<ID>, remedy: String) throws -> HandlerResult {
        let id: ID = try context.id("id")
        try pool.transaction { connection in
            guard let row = try connection.query("""
                SELECT name, version, sha256 FROM \(registry.table) WHERE id = \(id.rawValue) FOR UPDATE
                """).first,
                  let digest = ArtifactDigest(hex: try row.decode("sha256")) else {
                throw APIError.notFound("\(registry.noun) \(id) does not exist")
            }
            if let policy = try PolicyStore.user(of: id.rawValue, on: connection) {
                throw APIError.conflict("\(registry.noun) \(id) is used by policy \(policy): change or delete the policy first")
            }
            if let device = try registry.deployment.deviceHolding(id.rawValue, on: connection) {
                throw APIError.conflict("\(registry.noun) \(id) may still be in use on device \(device): \(remedy)")
            }
            try connection.query("DELETE FROM \(registry.table) WHERE id = \(id.rawValue)")
            try ArtifactStore.deleteIfUnreferenced(digest, on: connection)
            try AuditLog.record(connection, actor: context.principal, action: "\(registry.noun).delete", targetType: registry.noun,
                                targetID: id.description,
                                details: ["name": .string(try row.decode("name")), "version": .string(try row.decode("version")),
                                          "sha256": .string(digest.hex)])
        }
        return Reply.noContent()
    }
}
