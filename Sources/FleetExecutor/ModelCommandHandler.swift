import FleetCore
import FleetJSON

/// Runs `model.deploy`, `model.remove` and `inference.run` on a `ModelManager`. A payload that does not parse is
/// rejected (the command never ran); a failure while running fails the command with the reason.
public struct ModelCommandHandler: CommandHandler {
    public enum Operation: String, Sendable, CaseIterable {
        case deploy = "model.deploy"
        case remove = "model.remove"
        case infer = "inference.run"
    }

    public let operation: Operation
    public let manager: ModelManager

    public init(_ operation: Operation, manager: ModelManager) {
        self.operation = operation
        self.manager = manager
    }

    public func handle(_ command: IncomingCommand) -> CommandOutcome {
        let work: () throws -> JSON
        do {
            switch operation {
            case .deploy:
                let request = try ModelDeployRequest(payload: command.payload)
                work = { try manager.deploy(request) }
            case .remove:
                let request = try ModelRemoveRequest(payload: command.payload)
                work = { try manager.remove(request) }
            case .infer:
                let request = try InferenceRequest(json: command.payload, path: "")
                work = { try manager.run(request) }
            }
        } catch {
            return .rejected("invalid \(operation.rawValue) payload: \(error)")
        }
        do { return .succeeded(try work()) } catch { return .failed("\(error)") }
    }
}
