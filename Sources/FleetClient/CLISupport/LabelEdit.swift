import FleetCore

/// Label changes as `kubectl label` takes them: `key=value` sets, `key-` removes.
public enum LabelEdit {
    public struct ParseError: Error, CustomStringConvertible, Sendable, Equatable {
        public let argument: String
        public let reason: String
        public var description: String { "invalid label argument '\(argument)': \(reason)" }
    }

    /// The changes as a merge patch: a nil value removes the label.
    /// - Throws: `ParseError` for malformed arguments, invalid keys or values, and a key named twice.
    public static func parse(_ arguments: [String]) throws -> [String: String?] {
        var changes: [String: String?] = [:]
        for argument in arguments {
            let key: String
            let value: String?
            if let equals = argument.firstIndex(of: "=") {
                key = String(argument[..<equals])
                value = String(argument[argument.index(after: equals)...])
            } else if argument.hasSuffix("-") {
                key = String(argument.dropLast())
                value = nil
            } else {
                throw ParseError(argument: argument, reason: "use key=value to set a label or key- to remove it")
            }
            guard Labels.isValidKey(key) else {
                throw ParseError(argument: argument, reason: "'\(key)' is not a valid label key (up to 63 alphanumerics, '-', '_' or '.', optionally after a DNS prefix and '/')")
            }
            if let value, !Labels.isValidValue(value) {
                throw ParseError(argument: argument, reason: "'\(value)' is not a valid label value (empty, or up to 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric)")
            }
            guard changes[key] == nil else { throw ParseError(argument: argument, reason: "label '\(key)' is named more than once") }
            changes[key] = .some(value)
        }
        return changes
    }

    /// Only `key=value` arguments, as for labels given to new enrolment tokens.
    public static func parseAssignments(_ arguments: [String]) throws -> [String: String] {
        var labels: [String: String] = [:]
        for (key, value) in try parse(arguments) {
            guard let value else { throw ParseError(argument: "\(key)-", reason: "use key=value") }
            labels[key] = value
        }
        return labels
    }

    /// `a=1,b=2`, sorted by key; what tables show.
    public static func format(_ labels: [String: String]) -> String {
        labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }
}
