import Glibc
import FleetCore
import FleetJSON

/// A command to queue with `POST /v1/devices/{id}/commands`.
public struct NewCommand: Sendable, Equatable {
    /// A lower-case dotted name such as `executor.ping` or `program.load`.
    public var type: String
    public var payload: JSON
    /// Time to live in seconds; the server's default is one hour.
    public var ttlSeconds: Int?
    /// Sending the same key again returns the first command instead of queuing another.
    public var idempotencyKey: String?

    public init(type: String, payload: JSON = [:], ttlSeconds: Int? = nil, idempotencyKey: String? = nil) {
        self.type = type
        self.payload = payload
        self.ttlSeconds = ttlSeconds
        self.idempotencyKey = idempotencyKey
    }

    var json: JSON {
        var body: [String: JSON] = ["type": .string(type), "payload": payload]
        if let ttlSeconds { body["ttl_seconds"] = ttlSeconds.json }
        if let idempotencyKey { body["idempotency_key"] = .string(idempotencyKey) }
        return .object(body)
    }
}

/// The answer to queuing a command.
public struct CommandSubmission: Sendable, Equatable {
    public var command: Command
    /// False when the idempotency key matched an earlier command, which is returned instead.
    public var created: Bool
}

/// How waiting for a command ended.
public struct CommandWait: Sendable, Equatable {
    /// The command as last seen.
    public var command: Command
    /// False when the time ran out before the command reached a terminal state.
    public var finished: Bool
}

extension FleetClient {
    public func createCommand(_ command: NewCommand, for device: DeviceID) throws -> CommandSubmission {
        let answer = try exchange(.post, "/v1/devices/\(device)/commands", body: command.json)
        let created = try APIObject.decode(answer.json, what: answer.what, Command.init(api:))
        return CommandSubmission(command: created, created: answer.status == 201)
    }

    public func command(_ id: CommandID) throws -> Command {
        try fetch(.get, "/v1/commands/\(id)", decode: Command.init(api:))
    }

    /// The longest `wait` the server accepts on `GET /v1/commands/{id}`.
    public static let longestCommandWait: Duration = .seconds(60)

    /// `GET /v1/commands/{id}?wait=N`: the server answers as soon as the command is terminal, or with the
    /// command as it is once `wait` (whole seconds, rounded up, at most `longestCommandWait`) has passed.
    ///
    /// Blocks the calling thread for up to `wait` plus `requestTimeout`.
    public func command(_ id: CommandID, waitingUpTo wait: Duration) throws -> Command {
        let seconds = min(wait, Self.longestCommandWait).roundedUpSeconds
        return try fetch(.get, "/v1/commands/\(id)", query: [("wait", String(seconds))], timeout: requestTimeout + .seconds(seconds),
                         decode: Command.init(api:))
    }

    /// One page of a device's commands, newest first.
    public func commands(for device: DeviceID, state: CommandState? = nil, limit: Int? = nil, cursor: String? = nil) throws -> ListPage<Command> {
        try fetchPage("/v1/devices/\(device)/commands",
                      query: [("state", state?.rawValue), ("limit", limit.map(String.init)), ("cursor", cursor)],
                      decode: Command.init(api:))
    }

    /// Every command of a device (in `state`, if given), newest first, following `next_cursor`.
    public func allCommands(for device: DeviceID, state: CommandState? = nil, limit: Int? = nil, from cursor: String? = nil) throws -> [Command] {
        try ListPage.collect(from: cursor) { try commands(for: device, state: state, limit: limit, cursor: $0) }
    }

    /// Cancels a command that has not finished; the server answers 409 once it is terminal.
    public func cancelCommand(_ id: CommandID) throws -> Command {
        try fetch(.post, "/v1/commands/\(id)/cancel", decode: Command.init(api:))
    }

    /// Asks the server again and again, with `GET /v1/commands/{id}?wait=`, until the command is terminal or
    /// `timeout` has passed. Each request is held by the server for up to `longestWait` (or what remains of
    /// `timeout`, rounded up to a whole second) and answered as soon as the command is terminal.
    ///
    /// Blocks the calling thread. Errors of the requests are thrown at once.
    /// - Parameters:
    ///   - longestWait: how long one request may be held; at most `longestCommandWait`.
    ///   - minimumInterval: requests start at least this far apart, so that a server answering at once (one
    ///     that ignores `wait`) is not asked in a tight loop.
    ///   - onChange: called with each state seen for the first time, for progress output.
    public func waitForCommand(_ id: CommandID, timeout: Duration, longestWait: Duration = .seconds(30),
                               minimumInterval: Duration = .seconds(1), onChange: (Command) -> Void = { _ in }) throws -> CommandWait {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var lastState: CommandState?
        while true {
            let started = clock.now
            let command = try self.command(id, waitingUpTo: max(.zero, min(longestWait, started.duration(to: deadline))))
            if command.state != lastState {
                lastState = command.state
                onChange(command)
            }
            if command.state.isTerminal { return CommandWait(command: command, finished: true) }
            let remaining = clock.now.duration(to: deadline)
            guard remaining > .zero else { return CommandWait(command: command, finished: false) }
            let pause = min(minimumInterval - started.duration(to: clock.now), remaining)
            if pause > .zero { Self.sleep(pause) }
        }
    }

    private static func sleep(_ pause: Duration) {
        var request = timespec(tv_sec: Int(pause.components.seconds), tv_nsec: Int(pause.components.attoseconds / 1_000_000_000))
        var rest = timespec()
        while nanosleep(&request, &rest) != 0 && errno == EINTR { request = rest }
    }
}
