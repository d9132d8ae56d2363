/// One result row, already converted to Swift strings; columns are looked up by name.
public struct Row: Sendable {
    /// Column name to position; shared by all rows of a result. The first of duplicate names wins.
    let columns: [String: Int]
    let values: [String?]

    /// The column's raw text, or nil for NULL or an unknown column.
    public func text(_ column: String) -> String? {
        columns[column].flatMap { values[$0] }
    }

    /// Decodes a non-NULL column.
    /// - Throws: `PostgresError` of kind `.decoding` for an unknown column, NULL, or invalid text.
    public func decode<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        guard let value = try decodeIfPresent(column, as: type) else {
            throw PostgresError(kind: .decoding, message: "column \"\(column)\" is NULL")
        }
        return value
    }

    /// Decodes a column, returning nil for NULL.
    /// - Throws: `PostgresError` of kind `.decoding` for an unknown column or invalid text.
    public func decodeIfPresent<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T? {
        guard let index = columns[column] else {
            throw PostgresError(kind: .decoding, message: "no column \"\(column)\" in result")
        }
        guard let text = values[index] else { return nil }
        do {
            return try T(postgresText: text)
        } catch let error as PostgresError {
            throw PostgresError(kind: .decoding, message: "column \"\(column)\": \(error.message)")
        }
    }
}
