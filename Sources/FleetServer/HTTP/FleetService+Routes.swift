import Foundation
import FleetCore
import FleetHTTP
import FleetPostgres

/// One API route: who may call it and what it does.
struct Route: Sendable {
    enum Access: Sendable {
        case anyone
        case metrics
        case role(Role)
    }

    let access: Access
    /// The principal is nil only for `.anyone` and `.metrics` routes.
    let handler: @Sendable (FleetService, Request, Principal?) throws -> HandlerResult
}

extension FleetService {
    /// The whole API (DESIGN section 4).
    static func makeRouter(heldLongPolls: @escaping @Sendable () -> Int) -> Router<Route> {
        var router = Router<Route>()
        func add(_ method: String, _ path: String, _ role: Role,
                 _ handler: @escaping @Sendable (FleetService) -> (RequestContext) throws -> HandlerResult) {
            router.add(method, path, Route(access: .role(role)) { service, request, principal in
                guard let principal else { throw APIError.unauthorized("authentication required") }
                return try handler(service)(RequestContext(request: request, principal: principal))
            })
        }
        router.add("GET", "/healthz", Route(access: .anyone) { _, _, _ in Reply.json(["status": "ok"]) })
        router.add("GET", "/readyz", Route(access: .anyone) { service, _, _ in .respond(service.readiness()) })
        router.add("GET", "/metrics", Route(access: .metrics) { service, _, _ in .respond(service.metricsText(heldLongPolls: heldLongPolls())) })
        router.add("GET", "/openapi.yaml", Route(access: .anyone) { service, _, _ in .respond(service.openAPI()) })
        router.add("POST", "/v1/enroll", Route(access: .anyone) { service, request, _ in try service.enroll(request) })

        add("POST", "/v1/tokens", .admin, FleetService.createToken)
        add("GET", "/v1/tokens", .admin, FleetService.listTokens)
        add("DELETE", "/v1/tokens/{id}", .admin, FleetService.revokeToken)
        add("GET", "/v1/audit", .admin, FleetService.listAudit)

        add("POST", "/v1/enrollment-tokens", .operator, FleetService.createEnrollmentToken)
        add("GET", "/v1/enrollment-tokens", .operator, FleetService.listEnrollmentTokens)
        add("DELETE", "/v1/enrollment-tokens/{id}", .operator, FleetService.revokeEnrollmentToken)

        add("GET", "/v1/devices", .viewer, FleetService.listDevices)
        add("GET", "/v1/devices/{id}", .viewer, FleetService.getDevice)
        add("PATCH", "/v1/devices/{id}", .operator, FleetService.patchDevice)
        add("DELETE", "/v1/devices/{id}", .operator, FleetService.decommissionDevice)
        add("POST", "/v1/devices/{id}/approve", .operator, FleetService.approveDevice)
        add("POST", "/v1/devices/{id}/reject", .operator, FleetService.rejectDevice)
        add("POST", "/v1/devices/{id}/commands", .operator, FleetService.createCommand)
        add("GET", "/v1/devices/{id}/commands", .viewer, FleetService.listDeviceCommands)
        add("GET", "/v1/commands/{id}", .viewer, FleetService.getCommand)
        add("POST", "/v1/commands/{id}/cancel", .operator, FleetService.cancelCommand)

        add("POST", "/v1/programs", .operator, FleetService.createProgram)
        add("GET", "/v1/programs", .viewer, FleetService.listPrograms)
        add("GET", "/v1/programs/{id}", .viewer, FleetService.getProgram)
        add("GET", "/v1/programs/{id}/object", .viewer, FleetService.downloadProgramObject)
        add("DELETE", "/v1/programs/{id}", .operator, FleetService.deleteProgram)
        add("POST", "/v1/models", .operator, FleetService.createModel)
        add("GET", "/v1/models", .viewer, FleetService.listModels)
        add("GET", "/v1/models/{id}", .viewer, FleetService.getModel)
        add("GET", "/v1/models/{id}/content", .viewer, FleetService.downloadModelContent)
        add("DELETE", "/v1/models/{id}", .operator, FleetService.deleteModel)
        add("GET", "/v1/executor/artifacts/{sha256}", .device, FleetService.downloadArtifact)

        add("POST", "/v1/executor/heartbeat", .device, FleetService.heartbeat)
        add("GET", "/v1/executor/commands", .device, FleetService.pollCommands)
        add("POST", "/v1/executor/commands/{id}/status", .device, FleetService.reportCommandStatus)
        add("POST", "/v1/executor/telemetry", .device, FleetService.ingestTelemetry)
        add("PUT", "/v1/policies/{name}", .operator, FleetService.putPolicy)
        add("GET", "/v1/policies", .viewer, FleetService.listPolicies)
        add("GET", "/v1/policies/{name}", .viewer, FleetService.getPolicy)
        add("DELETE", "/v1/policies/{name}", .operator, FleetService.deletePolicy)
        add("GET", "/v1/policies/{name}/revisions", .viewer, FleetService.listPolicyRevisions)
        add("GET", "/v1/policies/{name}/status", .viewer, FleetService.getPolicyStatus)
        add("GET", "/v1/policies/{name}/holds", .viewer, FleetService.listPolicyHolds)
        add("PUT", "/v1/policies/{name}/holds/{device_id}", .operator, FleetService.putPolicyHold)
        add("DELETE", "/v1/policies/{name}/holds/{device_id}", .operator, FleetService.deletePolicyHold)
        add("GET", "/v1/devices/{id}/desired", .viewer, FleetService.getDeviceDesired)
        add("GET", "/v1/devices/{id}/status", .viewer, FleetService.getDeviceStatus)
        add("GET", "/v1/executor/desired", .device, FleetService.pollDesired)
        add("PUT", "/v1/executor/status", .device, FleetService.reportDesiredStatus)
        add("GET", "/v1/telemetry", .viewer, FleetService.queryTelemetry)
        add("GET", "/v1/telemetry/metrics", .viewer, FleetService.listDeviceMetrics)
        return router
    }

    /// Routes, authenticates, authorises and runs a request; every failure becomes problem+json here.
    func handle(_ request: Request, router: Router<Route>) -> HandlerResult {
        let result: HandlerResult
        var routeLabel = "unmatched"
        do {
            switch router.match(method: request.method, path: request.path) {
            case .notFound:
                throw APIError.notFound("no route for \(request.path)")
            case .methodNotAllowed(let allowed):
                var error = APIError(status: 405, title: "Method Not Allowed", detail: "\(request.method) is not allowed on \(request.path); use \(allowed.joined(separator: ", "))")
                error.headers = [("Allow", allowed.joined(separator: ", "))]
                throw error
            case .found(let route, let parameters, let pattern):
                routeLabel = pattern
                var request = request
                request.pathParameters = parameters
                switch route.access {
                case .anyone:
                    result = try route.handler(self, request, nil)
                case .metrics:
                    if !request.isFromLoopback {
                        let principal = try auth.authenticate(authorization: request.header("authorization"))
                        guard principal.role.satisfies(.viewer) else { throw APIError.forbidden("metrics need a viewer token") }
                    }
                    result = try route.handler(self, request, nil)
                case .role(let required):
                    let principal = try auth.authenticate(authorization: request.header("authorization"))
                    guard principal.role.satisfies(required) else {
                        throw APIError.forbidden(principal.role == .device
                            ? "device tokens may only use /v1/executor endpoints"
                            : "\(request.method) \(pattern) needs the \(required.rawValue) role; this token is \(principal.role.rawValue)")
                    }
                    result = try route.handler(self, request, principal)
                }
            }
        } catch {
            let problem = APIError.from(error)
            if problem.status >= 500 && !(error is APIError) && !((error as? PostgresError)?.isUnavailable ?? false) {
                FileHandle.standardError.write(Data("error: \(request.method) \(routeLabel): \(error)\n".utf8))
            }
            metrics.increment("fleet_http_requests_total", labels: "route=\"\(routeLabel)\",code=\"\(problem.status)\"")
            return .respond(Reply.problem(problem))
        }
        if case .respond(let response) = result {
            metrics.increment("fleet_http_requests_total", labels: "route=\"\(routeLabel)\",code=\"\(response.status)\"")
        } else {
            metrics.increment("fleet_http_requests_total", labels: "route=\"\(routeLabel)\",code=\"longpoll\"")
        }
        return result
    }
}
