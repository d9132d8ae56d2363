import Glibc

/// One subcommand's interface: what `--help` prints and what the parser accepts.
struct CommandSpec: Sendable {
    struct Option: Sendable {
        let name: String
        let valueName: String
        let help: String
        var repeatable = false
        var defaultValue: String?
    }

    struct Argument: Sendable {
        let valueName: String
        let help: String
    }

    let name: String
    let abstract: String
    var discussion: String?
    var options: [Option] = []
    var arguments: [Argument] = []

    func usage(tool: String) -> String {
        let options = self.options.map { option in
            let text = "--\(option.name) <\(option.valueName)>"
            let optional = option.repeatable || option.defaultValue != nil || optionalOptions.contains(option.name)
            return optional ? "[\(text)]\(option.repeatable ? " ..." : "")" : text
        }
        return ([tool, name] + arguments.map { "<\($0.valueName)>" } + options).joined(separator: " ")
    }

    func help(tool: String) -> String {
        var text = "OVERVIEW: \(abstract)\n\n"
        if let discussion { text += discussion + "\n\n" }
        text += "USAGE: \(usage(tool: tool))\n"
        if !arguments.isEmpty {
            text += "\nARGUMENTS:\n"
            for argument in arguments { text += Self.row("<\(argument.valueName)>", argument.help) }
        }
        text += "\nOPTIONS:\n"
        for option in options {
            var help = option.help
            if let value = option.defaultValue { help += " (default: \(value))" }
            text += Self.row("--\(option.name) <\(option.valueName)>", help)
        }
        text += Self.row("-h, --help", "Show help information.")
        return text
    }

    private static func row(_ left: String, _ help: String) -> String {
        let pad = left.count < 28 ? String(repeating: " ", count: 28 - left.count) : "\n" + String(repeating: " ", count: 30)
        return "  \(left)\(pad)\(help)\n"
    }

    /// Parses `--name value`, `--name=value` and positional arguments; `--` ends the options.
    /// - Throws: `UsageError` for an unknown option, a missing value or argument, or a repeated single option.
    func parse(_ words: ArraySlice<String>) throws(UsageError) -> ParsedCommand {
        var parsed = ParsedCommand()
        var index = words.startIndex
        var optionsEnded = false
        while index < words.endIndex {
            let word = words[index]
            index += 1
            if optionsEnded || !word.hasPrefix("-") || word == "-" {
                parsed.positionals.append(word)
                continue
            }
            if word == "--" { optionsEnded = true; continue }
            if word == "-h" || word == "--help" { parsed.helpRequested = true; continue }
            guard word.hasPrefix("--") else { throw UsageError("unknown option '\(word)'") }
            var name = String(word.dropFirst(2))
            var value: String?
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            guard let option = options.first(where: { $0.name == name }) else { throw UsageError("unknown option '--\(name)'") }
            if value == nil {
                guard index < words.endIndex else { throw UsageError("missing value for '--\(name) <\(option.valueName)>'") }
                value = words[index]
                index += 1
            }
            if !option.repeatable && parsed.values[name] != nil {
                throw UsageError("'--\(name)' given more than once")
            }
            parsed.values[name, default: []].append(value!)
        }
        if parsed.helpRequested { return parsed }
        if parsed.positionals.count > arguments.count {
            throw UsageError("unexpected argument '\(parsed.positionals[arguments.count])'")
        }
        if parsed.positionals.count < arguments.count {
            throw UsageError("missing <\(arguments[parsed.positionals.count].valueName)>")
        }
        for option in options where !option.repeatable && option.defaultValue == nil && parsed.values[option.name] == nil
            && !optionalOptions.contains(option.name) {
            throw UsageError("missing '--\(option.name) <\(option.valueName)>'")
        }
        for option in options where parsed.values[option.name] == nil {
            if let value = option.defaultValue { parsed.values[option.name] = [value] }
        }
        return parsed
    }

    /// Options that may be left out although they have no default (their absence means something).
    var optionalOptions: Set<String> = []
}

/// What the parser found.
struct ParsedCommand {
    var values: [String: [String]] = [:]
    var positionals: [String] = []
    var helpRequested = false

    func value(_ name: String) -> String? { values[name]?.last }
    func all(_ name: String) -> [String] { values[name] ?? [] }

    /// An option's value as a number in `range`.
    /// - Throws: `UsageError` naming the option when it is not one.
    func number<T: LosslessStringConvertible & Comparable>(_ name: String, in range: ClosedRange<T>) throws(UsageError) -> T? {
        guard let text = value(name) else { return nil }
        guard let number = T(text), range.contains(number) else {
            func bound(_ value: T) -> String {
                let text = "\(value)"
                return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
            }
            throw UsageError("--\(name) must be a number from \(bound(range.lowerBound)) to \(bound(range.upperBound)), not '\(text)'")
        }
        return number
    }
}

/// A command line the executor cannot run; printed with the usage line, exit status 64 (EX_USAGE).
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Writes to standard error.
func printError(_ text: String) {
    let line = text.hasSuffix("\n") ? text : text + "\n"
    _ = line.withCString { Glibc.write(2, $0, strlen($0)) }
}
