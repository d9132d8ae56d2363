import FleetJSON

/// Who a token speaks for. The order is the order of privilege for people; `device` stands apart.
public enum Role: String, Sendable, CaseIterable, JSONDecodable, JSONEncodable {
    case admin, `operator`, viewer, device

    /// Whether this role may use an operation that requires `required`.
    public func satisfies(_ required: Role) -> Bool {
        switch (self, required) {
        case (.device, .device): true
        case (.device, _), (_, .device): false
        case (.admin, _): true
        case (.operator, .operator), (.operator, .viewer): true
        case (.viewer, .viewer): true
        default: false
        }
    }

    public init(json: JSON, path: String) throws {
        let text = try String(json: json, path: path)
        guard let role = Role(rawValue: text), role != .device else {
            throw JSONError(path: path, message: "unknown role '\(text)': use admin, operator or viewer")
        }
        self = role
    }

    public var json: JSON { .string(rawValue) }
}
