import FleetJSON

/// One document of a YAML stream, read on its own so that a malformed document does not hide the others.
public struct YAMLDocument: Sendable, Equatable {
    /// 1-based among the stream's non-empty documents.
    public let index: Int
    /// The line of the text on which the document starts (its `---`, if it has one).
    public let line: Int
    public let content: Result<JSON, YAMLError>

    public init(index: Int, line: Int, content: Result<JSON, YAMLError>) {
        self.index = index
        self.line = line
        self.content = content
    }
}
