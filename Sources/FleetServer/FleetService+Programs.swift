import Foundation
import FleetCore
import FleetHTTP
import FleetJSON
import FleetPostgres

extension FleetService {
    /// `POST /v1/programs`: the multipart upload was streamed to a staged file by `ProgramUploadSink`; here it
    /// is validated (ELF, EM_BPF, sections, manifest), copied into PostgreSQL in chunks and registered.
    func createProgram(_ context: RequestContext) throws -> HandlerResult {
        let upload = try context.upload(as: ProgramUpload.self)
        try ProgramStore.checkName(upload.name)
        try ProgramStore.checkVersion(upload.version)
        let signature = try upload.signature.flatMap { $0.isEmpty ? nil : try ProgramSignature(base64: $0) }
        guard let digest = ArtifactDigest(hex: upload.sha256) else {
            throw APIError(status: 500, title: "Internal Server Error", detail: "the server failed to hash the upload")
        }

        let summary: BPFObjectSummary
        do {
            summary = try BPFObjectSummary(ELFObject(reading: upload.object))
        } catch let error as ELFObject.Invalid {
            throw APIError.unprocessable("object: \(error.description)")
        }
        var manifest: ProgramManifest?
        if let bytes = upload.manifest, bytes.contains(where: { ![9, 10, 13, 32].contains($0) }) {
            do { manifest = try ProgramManifest(bytes: bytes, object: summary) } catch let error as ProgramManifest.Invalid {
                throw APIError.unprocessable(error.description)
            }
        }

        let id = ProgramID.random()
        let duplicate = APIError.conflict("program \(upload.name)@\(upload.version) already exists; upload a new version")
        let row: Row
        do {
            row = try pool.transaction { connection -> Row in
                guard try connection.query("""
                    SELECT 1 FROM programs WHERE name = \(upload.name) AND version = \(upload.version)
                    """).first == nil else { throw duplicate }
                let stored = try ArtifactStore.store(upload.object, digest: digest, mediaType: ProgramStore.mediaType, on: connection)
                try connection.query("""
                    INSERT INTO programs (id, name, version, sha256, manifest, summary, signature, created_by)
                    VALUES (\(id.rawValue), \(upload.name), \(upload.version), \(digest.hex),
                            \(manifest?.json.serialized())::jsonb, \(summary.json.serialized())::jsonb, \(signature?.base64),
                            \(context.principal.actor))
                    """)
                try AuditLog.record(connection, actor: context.principal, action: "program.create", targetType: "program",
                                    targetID: id.description,
                                    details: ["name": .string(upload.name), "version": .string(upload.version),
                                              "sha256": .string(digest.hex), "size": .int(Int64(upload.object.size)),
                                              "signed": .bool(signature != nil), "artifact_reused": .bool(!stored)])
                return try ProgramStore.get(id, on: connection)!
            }
        } catch let error as PostgresError where error.isUniqueViolation {
            throw duplicate
        }
        metrics.increment("fleet_programs_uploaded_total")
        return Reply.json(try ProgramStore.json(row), status: 201)
    }

    func listPrograms(_ context: RequestContext) throws -> HandlerResult {
        let (limit, cursor) = try context.pagination(cursorArity: 2)
        var conditions: [Query] = ["TRUE"]
        if let name = context.request.query["name"], !name.isEmpty {
            conditions.append("p.name = \(name)")
        }
        if let cursor, let id = UUID(uuidString: cursor.values[1]) {
            conditions.append("(p.created_at, p.id) > (\(cursor.values[0])::timestamptz, \(id))")
        }
        let rows = try pool.query("""
            SELECT \(ProgramStore.columns) FROM \(ProgramStore.source) WHERE \(Query.joined(conditions, separator: " AND "))
            ORDER BY p.created_at, p.id LIMIT \(limit + 1)
            """).rows
        return try Self.page(rows, limit: limit, render: ProgramStore.json)
    }

    func getProgram(_ context: RequestContext) throws -> HandlerResult {
        let id: ProgramID = try context.id("id")
        guard let row = try pool.withConnection({ try ProgramStore.get(id, on: $0) }) else {
            throw APIError.notFound("program \(id) does not exist")
        }
        return Reply.json(try ProgramStore.json(row))
    }

    /// `GET /v1/programs/{id}/object`: the object file, streamed from its chunks (Range and ETag as for artifacts).
    func downloadProgramObject(_ context: RequestContext) throws -> HandlerResult {
        let id: ProgramID = try context.id("id")
        guard let row = try pool.query("SELECT name, version, sha256 FROM programs WHERE id = \(id.rawValue)").first,
              let digest = ArtifactDigest(hex: try row.decode("sha256")) else {
            throw APIError.notFound("program \(id) does not exist")
        }
        let filename = "\(try row.decode("name", as: String.self))-\(try row.decode("version", as: String.self)).o"
        return try artifactResponse(digest, for: context.request, headers: [("Content-Disposition", "attachment; filename=\"\(filename)\"")])
    }

    /// `DELETE /v1/programs/{id}`: 409 while a device may still run it (see `ProgramStore.deviceRunning`); the
    /// artifact goes too when no other program shares its bytes.
    func deleteProgram(_ context: RequestContext) throws -> HandlerResult {
        let id: ProgramID = try context.id("id")
        try pool.transaction { connection in
            guard let row = try connection.query("SELECT name, version, sha256 FROM programs WHERE id = \(id.rawValue) FOR UPDATE").first,
                  let digest = ArtifactDigest(hex: try row.decode("sha256")) else {
                throw APIError.notFound("program \(id) does not exist")
            }
            if let device = try ProgramStore.deviceRunning(id, on: connection) {
                throw APIError.conflict("program \(id) may still run on device \(device): unload it there first (a succeeded program.unload command with this program_id)")
            }
            try connection.query("DELETE FROM programs WHERE id = \(id.rawValue)")
            try ArtifactStore.deleteIfUnreferenced(digest, on: connection)
            try AuditLog.record(connection, actor: context.principal, action: "program.delete", targetType: "program",
                                targetID: id.description,
                                details: ["name": .string(try row.decode("name")), "version": .string(try row.decode("version")),
                                          "sha256": .string(digest.hex)])
        }
        return Reply.noContent()
    }
}
