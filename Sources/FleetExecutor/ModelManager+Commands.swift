import FleetCore
import FleetJSON

extension ModelManager {
    /// The handlers of `model.deploy`, `model.remove` and `inference.run`, by command type. A payload that does
    /// not parse is rejected (the command never ran); a failure while running fails the command with the reason.
    public var commandHandlers: [String: any CommandHandler] {
        [
            "model.deploy": RequestHandler(type: "model.deploy", parse: ModelDeployRequest.init(payload:), run: { try self.deploy($0) }),
            "model.remove": RequestHandler(type: "model.remove", parse: ModelRemoveRequest.init(payload:), run: remove),
            "inference.run": RequestHandler(type: "inference.run", parse: { try InferenceRequest(json: $0, path: "") }, run: run),
        ]
    }
}

/// Parses a command's payload into a request and runs it.
private struct RequestHandler<Request>: CommandHandler {
    let type: String
    let parse: @Sendable (JSON) throws -> Request
    let run: @Sendable (Request) throws -> JSON

    func handle(_ command: IncomingCommand) -> CommandOutcome {
        let request: Request
        do { request = try parse(command.payload) } catch {
            return .rejected("invalid \(type) payload: \(error)")
        }
        do { return .succeeded(try run(request)) } catch { return .failed("\(error)") }
    }
}
