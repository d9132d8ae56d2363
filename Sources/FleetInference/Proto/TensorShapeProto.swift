/// A declared tensor shape: ONNX's `TensorShapeProto`.
struct TensorShapeProto: WireMessage {
    /// One dimension: a size, a symbolic name, or neither.
    struct Dimension: WireMessage {
        /// The `value` oneof; the last one given wins.
        enum Value: Equatable {
            case size(Int64)
            case parameter(String)
        }

        var value: Value?

        mutating func decodeField(_ field: WireField, from reader: inout WireReader) throws(WireError) {
            switch field.number {
            case 1: if let size = try reader.int64(field) { value = .size(size) }
            case 2: if let name = try reader.string(field) { value = .parameter(name) }
            default: try reader.skip(field)
            }
        }
    }

    var dim: [Dimension] = []

    mutating func decodeField(_ field: WireField, from reader: inout WireReader) throws(WireError) {
        switch field.number {
        case 1: try reader.message(field, appendingTo: &dim)
        default: try reader.skip(field)
        }
    }
}
