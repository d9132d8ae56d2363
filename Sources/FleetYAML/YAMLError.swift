/// Why YAML text could not be read as JSON. `description` is one line: `line 3, column 7: mapping values are not
/// allowed in this context`.
public struct YAMLError: Error, CustomStringConvertible, Sendable, Equatable {
    /// 1-based, in the whole text the reader was given; nil when the problem has no place.
    public let line: Int?
    public let column: Int?
    public let message: String

    public init(line: Int?, column: Int?, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        guard let line else { return message }
        return column.map { "line \(line), column \($0): \(message)" } ?? "line \(line): \(message)"
    }

    /// The same problem, `lines` further down (for a document that starts below the first line of its text).
    func shifted(by lines: Int) -> YAMLError {
        YAMLError(line: line.map { $0 + lines }, column: column, message: message)
    }
}
