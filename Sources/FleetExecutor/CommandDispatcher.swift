import Glibc
import FleetCore
import FleetJSON

/// What a command handler answers.
public enum CommandOutcome: Sendable, Equatable {
    case succeeded(JSON?)
    case failed(String)
    case rejected(String)
}

/// Runs one command type.
public protocol CommandHandler: Sendable {
    func handle(_ command: IncomingCommand) -> CommandOutcome
}

/// Routes commands to their handlers; an unknown type is rejected with the list of known ones.
public struct CommandDispatcher: Sendable {
    private var handlers: [String: any CommandHandler] = [:]

    public init() {}

    public mutating func register(_ type: String, _ handler: any CommandHandler) {
        handlers[type] = handler
    }

    public var types: [String] { handlers.keys.sorted() }

    public func run(_ command: IncomingCommand) -> CommandOutcome {
        guard let handler = handlers[command.type] else {
            return .rejected("unknown command type '\(command.type)'; this executor understands \(types.joined(separator: ", "))")
        }
        return handler.handle(command)
    }
}

/// A handler from a closure.
public struct ClosureHandler: CommandHandler {
    let body: @Sendable (IncomingCommand) -> CommandOutcome
    public init(_ body: @escaping @Sendable (IncomingCommand) -> CommandOutcome) { self.body = body }
    public func handle(_ command: IncomingCommand) -> CommandOutcome { body(command) }
}
