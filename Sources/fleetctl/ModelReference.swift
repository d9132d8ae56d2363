import ArgumentParser
import FleetClient

/// A model named on the command line by its ID or as `name@version`.
enum ModelReference {
    case id(RegisteredModel.ID)
    case named(name: String, version: String)

    /// Parses `ID` or `name@version`.
    static func parse(_ text: String) throws -> ModelReference {
        if let id = RegisteredModel.ID(text) { return .id(id) }
        guard let at = text.lastIndex(of: "@"), at != text.startIndex, text.index(after: at) != text.endIndex else {
            throw ValidationError("'\(text)' is neither a model ID nor name@version (such as anomaly@1.0.0)")
        }
        return .named(name: String(text[..<at]), version: String(text[text.index(after: at)...]))
    }

    /// The model, fetched by ID or found by name and version.
    func fetch(using client: FleetClient) throws -> RegisteredModel {
        switch self {
        case .id(let id): try client.model(id)
        case .named(let name, let version): try client.model(name: name, version: version)
        }
    }

    /// The model's ID, looked up when it was named by name and version.
    func id(using client: FleetClient) throws -> RegisteredModel.ID {
        switch self {
        case .id(let id): id
        case .named: try fetch(using: client).id
        }
    }
}
