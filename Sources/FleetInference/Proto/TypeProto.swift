/// The type of a value: ONNX's `TypeProto`. Only tensor types are read in full; the other kinds are
/// recognised so that they can be refused by name.
struct TypeProto: WireMessage {
    /// The `value` oneof: the last kind given wins, and two tensor types merge.
    enum Value {
        case tensor(TensorType)
        case sequence
        case map
        case optional
        case sparseTensor
    }

    /// ONNX's `TypeProto.Tensor`.
    struct TensorType: WireMessage {
        /// A `TensorProto.DataType` code.
        var elemType: Int32 = 0
        /// Nil when the rank is not declared.
        var shape: TensorShapeProto?

        mutating func decodeField(_ field: WireField, from reader: inout WireReader) throws(WireError) {
            switch field.number {
            case 1: elemType = try reader.int32(field) ?? elemType
            case 2: try reader.message(field, into: &shape)
            default: try reader.skip(field)
            }
        }
    }

    /// Nil when the type declares no kind (a `TypeProto` with only a denotation).
    var value: Value?

    /// The tensor type, when the value is a tensor.
    var tensorType: TensorType? {
        if case .tensor(let tensor)? = value { return tensor }
        return nil
    }

    mutating func decodeField(_ field: WireField, from reader: inout WireReader) throws(WireError) {
        switch field.number {
        case 1:
            var tensor = tensorType
            try reader.message(field, into: &tensor)
            if let tensor { value = .tensor(tensor) }
        case 4: if try reader.skipMessage(field) { value = .sequence }
        case 5: if try reader.skipMessage(field) { value = .map }
        case 8: if try reader.skipMessage(field) { value = .sparseTensor }
        case 9: if try reader.skipMessage(field) { value = .optional }
        default: try reader.skip(field)
        }
    }
}
