import FleetJSON

/// The documents of a file people write for a command such as `fleetctl apply`: YAML (several documents separated
/// by `---`) or JSON (one value). A JSON array, or a YAML document that is a sequence, holds one document per item.
public enum DocumentStream {
    public enum Format: String, Sendable, Equatable {
        case json, yaml

        /// By the file's extension (`.json`; `.yaml`, `.yml`), else by its first character: `{` or `[` mean JSON.
        public static func of(path: String?, text: String) -> Format {
            let lower = path?.lowercased() ?? ""
            if lower.hasSuffix(".json") { return .json }
            if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") { return .yaml }
            let first = text.unicodeScalars.first { !" \t\r\n".unicodeScalars.contains($0) }
            return first == "{" || first == "[" ? .json : .yaml
        }
    }

    /// The documents, numbered from 1 in file order; each malformed one is a failure of its own.
    public static func documents(in text: String, format: Format) -> [YAMLDocument] {
        switch format {
        case .json:
            do {
                let value = try JSON.parse(text)
                guard case .array(let items) = value else { return [YAMLDocument(index: 1, line: 1, content: .success(value))] }
                // jansson keeps no positions, so the items of an array are told apart by their index alone.
                return items.enumerated().map { YAMLDocument(index: $0 + 1, line: 1, content: .success($1)) }
            } catch {
                // jansson's message names the line and column.
                let message = (error as? JSONError)?.message ?? "\(error)"
                return [YAMLDocument(index: 1, line: 1, content: .failure(YAMLError(line: nil, column: nil, message: message)))]
            }
        case .yaml:
            var documents: [YAMLDocument] = []
            for document in YAMLReader.documents(in: text) {
                if case .success(.array(let items)) = document.content {
                    for item in items {
                        documents.append(YAMLDocument(index: documents.count + 1, line: document.line, content: .success(item)))
                    }
                } else {
                    documents.append(YAMLDocument(index: documents.count + 1, line: document.line, content: document.content))
                }
            }
            return documents
        }
    }
}
