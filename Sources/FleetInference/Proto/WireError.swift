/// Why bytes are not a well-formed protobuf message. The description is a phrase for `ModelError`.
enum WireError: Error, Hashable, CustomStringConvertible {
    /// A value runs past the end of the input or of the message that holds it.
    case truncated
    /// The bytes break the wire format (the detail says how).
    case malformed(String)
    /// A field this runtime reads as text is not valid UTF-8.
    case invalidUTF8
    /// Messages nest deeper than `WireReader.maxDepth`.
    case tooDeep

    var description: String {
        switch self {
        case .truncated: "the file is truncated"
        case .malformed(let detail): "the bytes are not a protobuf message (\(detail))"
        case .invalidUTF8: "a text field is not valid UTF-8"
        case .tooDeep: "the message nests too deeply"
        }
    }
}
