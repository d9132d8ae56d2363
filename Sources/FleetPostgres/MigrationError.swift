/// A migration directory that cannot be loaded: a badly named file, a duplicate version, or an unreadable file.
public struct MigrationError: Error, CustomStringConvertible, Sendable {
    /// The offending file name.
    public let file: String
    public let reason: String

    public var description: String { "migration \(file): \(reason)" }
}
