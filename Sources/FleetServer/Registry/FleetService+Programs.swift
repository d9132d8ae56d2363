import FleetCore
import FleetHTTP
import FleetJSON

extension FleetService {
    /// `POST /v1/programs`: validated by opening the object with libbpf, as the executor does (the staged file
    /// is mapped, not read, and at most `ProgramStore.maximumObjectBytes`), with its manifest checked against
    /// what the object holds.
    func createProgram(_ context: RequestContext) throws -> HandlerResult {
        try register(context, in: ProgramStore.registry) { upload in
            let summary: BPFObjectSummary
            do {
                summary = try upload.artifact.withMappedBytes { try BPFObjectSummary(opening: $0, name: upload.name) }
            } catch let error as BPFObjectSummary.Invalid {
                throw APIError.unprocessable("object: \(error.description)")
            }
            var manifest: CheckedManifest?
            if let bytes = upload.nonEmptyDocument {
                do { manifest = try CheckedManifest(bytes: bytes, object: summary) } catch let error as CheckedManifest.Invalid {
                    throw APIError.unprocessable(error.description)
                }
            }
            return Validated(document: manifest?.json, summary: summary.json)
        }
    }

    func listPrograms(_ context: RequestContext) throws -> HandlerResult {
        try listRegistered(context, in: ProgramStore.registry)
    }

    func getProgram(_ context: RequestContext) throws -> HandlerResult {
        try getRegistered(context, in: ProgramStore.registry)
    }

    /// `GET /v1/programs/{id}/object`: the object file, as `<name>-<version>.o`.
    func downloadProgramObject(_ context: RequestContext) throws -> HandlerResult {
        try downloadRegistered(context, in: ProgramStore.registry)
    }

    /// `DELETE /v1/programs/{id}`: 409 while a device may still run it (see `ProgramStore.registry.deployment`).
    func deleteProgram(_ context: RequestContext) throws -> HandlerResult {
        try deleteRegistered(context, in: ProgramStore.registry,
                             remedy: "unload it there first (a succeeded program.unload command with this program_id)")
    }
}
