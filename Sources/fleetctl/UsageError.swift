import ArgumentParser
import FleetClient

/// What a command line that did not parse gets: one `error: ...` line naming the command to ask for help,
/// and for a mistyped verb or noun the nearest one.
enum UsageError {
    /// Options of the root that take a value, so that their values are not read as commands.
    static let valuedGlobalOptions: Set<String> = ["--server", "--token", "-o", "--output"]

    /// The line for `error`, given the arguments after the program name.
    static func message(for error: any Error, arguments: [String]) -> String {
        let walk = walk(arguments)
        if let unknown = walk.unknown {
            let names = walk.command.configuration.subcommands.map { $0._commandName }
            let hint = NearestWord.find(unknown, in: names).map { "did you mean '\(walk.path) \($0)'?" }
                ?? "\(walk.path) has \(names.joined(separator: ", "))"
            return "unknown command '\(unknown)' for '\(walk.path)': \(hint)"
        }
        var text = Fleetctl.message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid command line"
        if text.hasPrefix("Error: ") { text.removeFirst(7) }
        if let first = text.first, first.isUppercase { text = first.lowercased() + text.dropFirst() }
        return "\(text) (see '\(walk.path) --help')"
    }

    /// Follows subcommand names from the root; stops at the first word that names no subcommand of a command
    /// that has subcommands (`unknown`), or at the first word of a command without subcommands.
    static func walk(_ arguments: [String]) -> (command: any ParsableCommand.Type, path: String, unknown: String?) {
        var command: any ParsableCommand.Type = Fleetctl.self
        var path = Fleetctl._commandName
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            index += 1
            if word == "--" { break }
            if word.hasPrefix("-") {
                if valuedGlobalOptions.contains(word) { index += 1 }
                continue
            }
            let subcommands = command.configuration.subcommands
            guard !subcommands.isEmpty else { break }
            guard let next = subcommands.first(where: { $0._commandName == word || $0.configuration.aliases.contains(word) }) else {
                return (command, path, word == "help" ? nil : word)
            }
            command = next
            path += " " + next._commandName
        }
        return (command, path, nil)
    }
}
