import ArgumentParser
import FleetClient
import FleetCore

/// `--wait` for a queued command, shared by `send command` and `infer`: waits until the command is terminal
/// (the server holds each request until then, up to 30 s at a time), noting the states seen on stderr for
/// table output, and turns the end into fleetctl's exit status.
struct CommandWaiting {
    let client: FleetClient
    let showProgress: Bool

    /// Waits for `command` for up to `timeout`.
    func wait(for command: Command, timeout: Duration) throws -> CommandWait {
        if showProgress { Console.note("command \(command.id) queued; waiting up to \(DurationText.format(timeout))") }
        return try client.waitForCommand(command.id, timeout: timeout) { seen in
            if showProgress && seen.state != command.state { Console.note("command \(seen.id): \(seen.state.rawValue)") }
        }
    }

    /// Exit status 2 when the time ran out (the command goes on), 1 when the command ended other than succeeded;
    /// either way with a line on stderr.
    static func requireSuccess(_ outcome: CommandWait, timeout: Duration) throws {
        let command = outcome.command
        guard outcome.finished else {
            Console.error("command \(command.id) is still \(command.state.rawValue) after \(DurationText.format(timeout))")
            throw ExitCode(2)
        }
        guard command.state == .succeeded else {
            let reason = command.error.map { ": \(Table.firstLine($0))" } ?? ""
            Console.error("command \(command.id) \(command.state.rawValue)\(reason)")
            throw ExitCode.failure
        }
    }
}
