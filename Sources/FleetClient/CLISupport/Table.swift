/// Rows under headers in aligned columns, for people. The last column is not padded, so lines have
/// no trailing spaces; line breaks inside cells become spaces.
public struct Table: Sendable, Equatable {
    public var headers: [String]
    public var rows: [[String]]
    public static let columnGap = "   "

    public init(headers: [String], rows: [[String]] = []) {
        self.headers = headers
        self.rows = rows
    }

    /// The rendered lines joined with `\n`, ending with a newline.
    public func render() -> String {
        let lines = [headers] + rows.map { row in
            (0..<headers.count).map { $0 < row.count ? Self.flatten(row[$0]) : "" }
        }
        var widths = [Int](repeating: 0, count: headers.count)
        for line in lines {
            for (index, cell) in line.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        return lines.map { line in
            var out = ""
            for (index, cell) in line.enumerated() {
                if index == line.count - 1 {
                    out += cell
                } else {
                    out += cell + String(repeating: " ", count: widths[index] - cell.count) + Self.columnGap
                }
            }
            while out.hasSuffix(" ") { out.removeLast() }
            return out + "\n"
        }.joined()
    }

    static func flatten(_ text: String) -> String {
        String(text.map { $0.isNewline || $0 == "\t" ? " " : $0 })
    }
}

/// `KEY:  value` lines for one object; values with line breaks continue on indented lines.
public struct DetailView: Sendable, Equatable {
    public var fields: [(name: String, value: String)]

    public init(_ fields: [(name: String, value: String)]) { self.fields = fields }

    public static func == (lhs: DetailView, rhs: DetailView) -> Bool {
        lhs.fields.map(\.name) == rhs.fields.map(\.name) && lhs.fields.map(\.value) == rhs.fields.map(\.value)
    }

    public func render() -> String {
        let width = (fields.map(\.name.count).max() ?? 0) + 1
        return fields.map { field in
            let label = field.name + ":" + String(repeating: " ", count: width - field.name.count + 1)
            let lines = field.value.split(separator: "\n", omittingEmptySubsequences: false)
            guard lines.count > 1 else { return label + field.value + "\n" }
            return field.name + ":\n" + lines.map { "  " + $0 + "\n" }.joined()
        }.joined()
    }
}
