import Glibc
import FleetClient
import FleetCore
import FleetJSON

/// The executor's side of the API (`/v1/executor/*`), with the device token. Every call's outcome goes to `health`.
public final class ExecutorConnection: Sendable {
    public let identity: ExecutorIdentity
    let health: ConnectionHealth
    private let api: FleetClient
    private let poller: FleetClient
    /// Long-polls of the desired state run beside the command long-poll, on a connection of their own.
    private let desiredPoller: FleetClient
    private let uploads = CurlTransport(options: ExecutorConnection.transportOptions)

    init(identity: ExecutorIdentity, health: ConnectionHealth) {
        self.identity = identity
        self.health = health
        let configuration = ClientConfiguration(server: identity.server, token: BearerToken(identity.deviceToken))
        api = FleetClient(configuration: configuration, requestTimeout: .seconds(30),
                          transport: CurlTransport(options: ExecutorConnection.transportOptions))
        // A long-poll may take up to its wait; the request timeout leaves room for that.
        poller = FleetClient(configuration: configuration, requestTimeout: .seconds(Int64(ExecutorConnection.pollWait + 15)),
                             transport: CurlTransport(options: ExecutorConnection.transportOptions))
        desiredPoller = FleetClient(configuration: configuration, requestTimeout: .seconds(Int64(ExecutorConnection.pollWait + 15)),
                                    transport: CurlTransport(options: ExecutorConnection.transportOptions))
    }

    /// Connecting to a server that is gone gives up after 5 s (the transport's default is 10 s), about the
    /// executor's longest pause between retries.
    static let transportOptions = CurlTransport.Options(connectTimeout: .seconds(5))

    public static let pollWait = 30

    public struct HeartbeatAnswer: Sendable {
        public let intervalSeconds: Int
        public let status: String
        /// The revision of the device's desired state, so that a reconciler that missed a change finds out; nil
        /// from a server without policies.
        public let desiredRevision: String?
    }

    public func heartbeat(inventory: JSON?) throws -> HeartbeatAnswer {
        let body: JSON = inventory.map { ["inventory": $0] } ?? [:]
        let answer = try health.observe { try api.raw(method: .post, path: "/v1/executor/heartbeat", body: body) }
        return HeartbeatAnswer(intervalSeconds: (answer["heartbeat_interval_seconds"]?.int64Value).map { Int($0) } ?? 60,
                               status: answer["status"]?.stringValue ?? "active",
                               desiredRevision: answer["desired_revision"]?.stringValue)
    }

    /// Waits up to `wait` seconds for commands; an empty list when none came.
    public func pollCommands(wait: Int = ExecutorConnection.pollWait) throws -> [IncomingCommand] {
        let answer = try health.observe { try poller.raw(method: .get, path: "/v1/executor/commands?wait=\(wait)") }
        return (answer["items"]?.arrayValue ?? []).compactMap(IncomingCommand.init(json:))
    }

    public func report(_ id: CommandID, state: CommandState, result: JSON? = nil, error: String? = nil) throws {
        var body: [String: JSON] = ["state": state.json]
        if let result { body["result"] = result }
        if let error { body["error"] = .string(error) }
        _ = try health.observe { try api.raw(method: .post, path: "/v1/executor/commands/\(id)/status", body: .object(body)) }
    }

    /// `GET /v1/executor/desired`: waits up to `wait` seconds (at most `pollWait`) for a desired state whose
    /// revision is not `knownRevision`.
    /// - Returns: nil when the known revision is still current.
    /// - Throws: `FleetClientError`, or `JSONError` for a state that does not parse.
    public func desired(knownRevision: String?, wait: Int) throws -> ServedDesiredState? {
        var path = "/v1/executor/desired?wait=\(min(max(wait, 0), ExecutorConnection.pollWait))"
        if let knownRevision { path += "&known_revision=\(knownRevision)" }
        let answer = try health.observe { try desiredPoller.raw(method: .get, path: path) }
        if answer.isNull { return nil }
        return ServedDesiredState(try DesiredState(json: answer), revision: answer["revision"]?.stringValue)
    }

    /// `PUT /v1/executor/status` with a `ReconcileStatus` document.
    public func reportStatus(_ document: JSON) throws {
        _ = try health.observe { try api.raw(method: .put, path: "/v1/executor/status", body: document) }
    }

    /// Sends one outbox batch. Returns normally when the server stored it (or had it already).
    public func upload(batch body: [UInt8]) throws {
        try health.observe {
            let response = try uploads.send(.post, identity.server + "/v1/executor/telemetry",
                                            headers: [("Authorization", "Bearer \(identity.deviceToken)"), ("Content-Type", "application/json")],
                                            body: body, timeout: .seconds(30))
            guard (200..<300).contains(response.status) else {
                throw FleetClientError.fromResponse(status: response.status, body: response.body)
            }
        }
    }

    /// Downloads an artifact by its SHA-256 (hex).
    public func artifact(sha256: String) throws -> [UInt8] {
        try health.observe {
            let response = try uploads.send(.get, identity.server + "/v1/executor/artifacts/\(sha256)",
                                            headers: [("Authorization", "Bearer \(identity.deviceToken)")], timeout: .seconds(300))
            guard response.status == 200 else {
                throw FleetClientError.fromResponse(status: response.status, body: response.body)
            }
            return response.body
        }
    }
}

/// A command as the executor receives it.
public struct IncomingCommand: Sendable, Equatable {
    public let id: CommandID
    public let type: String
    public let payload: JSON

    public init(id: CommandID, type: String, payload: JSON) {
        self.id = id
        self.type = type
        self.payload = payload
    }

    init?(json: JSON) {
        guard let idText = json["id"]?.stringValue, let id = CommandID(idText), let type = json["type"]?.stringValue else { return nil }
        self.init(id: id, type: type, payload: json["payload"] ?? [:])
    }
}
