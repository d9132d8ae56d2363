import FleetCore
import FleetJSON

/// One document of a file for `fleetctl apply` and `fleetctl diff`: a named policy document.
///
/// Two shapes are accepted:
///
/// ```yaml
/// kind: Policy            # the full form
/// name: north
/// spec: {selector: site=north, programs: [...]}
/// ---
/// name: south             # the bare form: the policy document with its name beside it
/// selector: site=south
/// ```
///
/// The document itself is checked by the server, which knows the registry; here only the envelope is.
public struct PolicyManifest: Sendable, Equatable {
    public static let kind = "Policy"

    public var name: String
    /// The policy document as written, sent as the body of the PUT.
    public var document: JSON

    public init(name: String, document: JSON) {
        self.name = name
        self.document = document
    }

    /// - Throws: `JSONError` naming the member at fault (`kind`, `name`, `spec`).
    public init(json: JSON) throws {
        guard case .object(var members) = json else {
            throw JSONError(path: "", message: "a document is an object ({kind: Policy, name, spec} or a policy with its name), not \(json.typeName)")
        }
        guard let nameValue = members.removeValue(forKey: "name"), !nameValue.isNull else {
            throw JSONError(path: "name", message: "required: every document names its policy")
        }
        guard case .string(let name) = nameValue else { throw JSONError.typeMismatch("name", expected: "string", got: nameValue) }
        guard PolicyName.isValid(name) else {
            throw JSONError(path: "name", message: "'\(name)' is not a policy name: 1 to \(PolicyName.maximumLength) of a-z, 0-9 and '-', starting and ending with a letter or digit")
        }
        if let kind = members.removeValue(forKey: "kind") {
            guard kind == .string(Self.kind) else {
                throw JSONError(path: "kind", message: "\(kind.serialized()) is not a kind fleetctl applies: use \(Self.kind)")
            }
            guard let spec = members.removeValue(forKey: "spec") else { throw JSONError(path: "spec", message: "required with kind: \(Self.kind)") }
            if let extra = members.keys.sorted().first {
                throw JSONError(path: extra, message: "unknown field: a \(Self.kind) document has kind, name and spec")
            }
            guard case .object = spec else { throw JSONError.typeMismatch("spec", expected: "object", got: spec) }
            self.init(name: name, document: spec)
        } else {
            guard members["spec"] == nil else { throw JSONError(path: "kind", message: "required with spec: add kind: \(Self.kind)") }
            self.init(name: name, document: .object(members))
        }
    }
}
