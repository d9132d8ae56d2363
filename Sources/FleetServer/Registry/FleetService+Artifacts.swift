import FleetCore
import FleetHTTP
import FleetJSON
import FleetPostgres

extension FleetService {
    /// `GET /v1/executor/artifacts/{sha256}`: an artifact for an active device, by digest.
    func downloadArtifact(_ context: RequestContext) throws -> HandlerResult {
        _ = try device(context, requireActive: true)
        let text = context.parameter("sha256")
        guard let digest = ArtifactDigest(hex: text) else {
            throw APIError.badRequest("'\(text)' is not a SHA-256 digest (64 hex digits)")
        }
        return try artifactResponse(digest, for: context.request)
    }

    /// The bytes of an artifact, streamed from its chunks: `ETag` is the quoted digest, a matching
    /// `If-None-Match` answers 304, a single `Range: bytes=a-b` answers 206 (416 when no byte of it exists;
    /// several ranges, or an `If-Range` that is not the current tag, get the whole artifact).
    func artifactResponse(_ digest: ArtifactDigest, for request: Request,
                          headers extra: [(name: String, value: String)] = []) throws -> HandlerResult {
        guard let info = try pool.withConnection({ try ArtifactStore.info(digest, on: $0) }) else {
            throw APIError.notFound("artifact \(digest) does not exist")
        }
        let tag = digest.entityTag
        var headers: [(name: String, value: String)] = [("ETag", tag), ("Accept-Ranges", "bytes"),
                                                        ("Cache-Control", "private, max-age=31536000, immutable")]
        if EntityTag.noneMatch(request.header("if-none-match"), matches: tag) {
            return .respond(Response(status: 304, headers: headers))
        }
        let range = EntityTag.ifRange(request.header("if-range"), allows: tag)
            ? ByteRange(header: request.header("range"), length: info.size) : .whole
        headers += [("Content-Type", info.mediaType)] + extra
        switch range {
        case .unsatisfiable:
            var error = APIError(status: 416, title: "Range Not Satisfiable",
                                 detail: "the range is outside the artifact's \(info.size) bytes")
            error.headers = [("Content-Range", "bytes */\(info.size)")]
            throw error
        case .whole:
            let body = StreamedBody(length: info.size, source: ArtifactBody(pool: pool, info: info, base: 0))
            return .respond(Response(status: 200, headers: headers, streaming: body))
        case .partial(let first, let last):
            headers.append(("Content-Range", "bytes \(first)-\(last)/\(info.size)"))
            let body = StreamedBody(length: last - first + 1, source: ArtifactBody(pool: pool, info: info, base: first))
            return .respond(Response(status: 206, headers: headers, streaming: body))
        }
    }
}
