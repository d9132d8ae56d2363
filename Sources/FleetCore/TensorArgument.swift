import FleetJSON

/// A tensor given on a command line as `NAME=@FILE.json` (a file holding the tensor's JSON) or `NAME=JSON`, as
/// `fleet-executor infer --input` and `fleetctl infer --input` take it.
public struct TensorArgument: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        /// `@FILE`: the path after the `@`.
        case file(String)
        /// The JSON text itself.
        case inline(String)
    }

    /// Why an argument or its tensor is not usable; the description names the input.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    public let name: String
    public let source: Source

    public init(name: String, source: Source) {
        self.name = name
        self.source = source
    }

    /// - Throws: `Failure` when there is no `=`, the name or tensor is empty, or `@` names no file.
    public init(parsing text: String) throws(Failure) {
        guard let equals = text.firstIndex(of: "=") else {
            throw Failure("--input '\(text)' must be NAME=@FILE.json or NAME=JSON")
        }
        name = String(text[..<equals])
        let value = String(text[text.index(after: equals)...])
        guard !name.isEmpty else { throw Failure("--input '\(text)' names no input before '='") }
        guard !value.isEmpty else { throw Failure("--input '\(text)' gives no tensor after '='") }
        if value.hasPrefix("@") {
            let path = String(value.dropFirst())
            guard !path.isEmpty else { throw Failure("--input '\(text)' names no file after '@'") }
            source = .file(path)
        } else {
            source = .inline(value)
        }
    }

    /// Reads and checks the tensors of `arguments`, keyed by input name.
    /// - Parameter readFile: reads a tensor file; its errors are passed on.
    /// - Throws: `Failure` for an input given twice, malformed JSON or a malformed tensor (with the input's name
    ///   and where it came from); whatever `readFile` throws.
    public static func tensors(_ arguments: [TensorArgument], readFile: (String) throws -> [UInt8]) throws -> [String: TensorPayload] {
        var tensors: [String: TensorPayload] = [:]
        for argument in arguments {
            guard tensors[argument.name] == nil else { throw Failure("input '\(argument.name)' is given twice") }
            let (bytes, origin) = switch argument.source {
            case .file(let path): (try readFile(path), path)
            case .inline(let text): (Array(text.utf8), "the command line")
            }
            do {
                tensors[argument.name] = try TensorPayload(json: try JSON.parse(bytes), path: "")
            } catch {
                throw Failure("input '\(argument.name)' from \(origin): \(error)")
            }
        }
        return tensors
    }
}
