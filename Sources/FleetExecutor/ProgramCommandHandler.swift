import FleetJSON

/// Runs `program.load`, `program.replace` and `program.unload` on a `ProgramManager`. A payload that does not
/// parse is rejected (the command never ran); a failure while running fails the command with the reason.
public struct ProgramCommandHandler: CommandHandler {
    public enum Operation: String, Sendable, CaseIterable {
        case load = "program.load"
        case replace = "program.replace"
        case unload = "program.unload"
    }

    public let operation: Operation
    public let manager: ProgramManager

    public init(_ operation: Operation, manager: ProgramManager) {
        self.operation = operation
        self.manager = manager
    }

    public func handle(_ command: IncomingCommand) -> CommandOutcome {
        do {
            switch operation {
            case .load, .replace:
                let request: ProgramLoadRequest
                do { request = try ProgramLoadRequest(payload: command.payload) } catch {
                    return .rejected("invalid \(operation.rawValue) payload: \(error)")
                }
                return .succeeded(operation == .load ? try manager.load(request) : try manager.replace(request))
            case .unload:
                let request: ProgramUnloadRequest
                do { request = try ProgramUnloadRequest(payload: command.payload) } catch {
                    return .rejected("invalid program.unload payload: \(error)")
                }
                return .succeeded(try manager.unload(request))
            }
        } catch {
            return .failed(ProgramManager.describe(error))
        }
    }
}
