import Foundation
import FleetHTTP

/// How a route takes a streamed body: the sink that receives it, made once the caller is authorised.
struct UploadRoute: Sendable {
    let makeSink: @Sendable (RequestHead) throws -> any UploadSink
}

extension FleetService {
    /// The routes whose bodies are streamed rather than buffered (each also has its handler in `makeRouter`).
    static func makeUploadRouter(stagingDirectory: String) -> Router<UploadRoute> {
        var router = Router<UploadRoute>()
        router.add("POST", "/v1/programs", UploadRoute { head in
            try ArtifactUploadSink(for: ProgramStore.registry, contentType: head.header("content-type"), stagingDirectory: stagingDirectory)
        })
        router.add("POST", "/v1/models", UploadRoute { head in
            try ArtifactUploadSink(for: ModelStore.registry, contentType: head.header("content-type"), stagingDirectory: stagingDirectory)
        })
        return router
    }

    /// Decides, once a request's header is in, where its body goes: streamed to a sink for upload routes
    /// (after authentication and authorisation, so no one unauthorised gets to send 256 MiB), buffered for
    /// everything else. A caller who may not upload gets the answer `handle` gives, before the body is sent.
    func bodyDisposition(for head: RequestHead, router: Router<Route>, uploads: Router<UploadRoute>) -> BodyDisposition {
        guard case .found(let upload, _, _) = uploads.match(method: head.method, path: head.path),
              case .found(let route, _, _) = router.match(method: head.method, path: head.path),
              case .role(let required) = route.access else { return .buffer }
        let principal = try? auth.authenticate(authorization: head.header("authorization"))
        guard let principal, principal.role.satisfies(required) else {
            guard case .respond(let refusal) = handle(head.request, router: router) else { return .buffer }
            return .reject(refusal)
        }
        do {
            return .stream(try upload.makeSink(head))
        } catch {
            return .reject(Reply.problem(APIError.from(error)))
        }
    }
}

extension RequestContext {
    /// What the route's upload sink produced; rethrows the sink's error (malformed multipart, too large, ...).
    func upload<Upload: Sendable>(as type: Upload.Type) throws -> Upload {
        guard let outcome = request.upload else {
            throw APIError.badRequest("send the body as multipart/form-data")
        }
        guard let upload = try outcome.get() as? Upload else {
            throw APIError(status: 500, title: "Internal Server Error", detail: "the server failed to handle the upload")
        }
        return upload
    }
}
