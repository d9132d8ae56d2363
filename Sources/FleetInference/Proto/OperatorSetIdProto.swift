/// An opset a model imports: ONNX's `OperatorSetIdProto`.
struct OperatorSetIdProto: WireMessage {
    /// The operator domain; empty (or `ai.onnx`) for ONNX's own operators.
    var domain = ""
    var version: Int64 = 0

    mutating func decodeField(_ field: WireField, from reader: inout WireReader) throws(WireError) {
        switch field.number {
        case 1: domain = try reader.string(field) ?? domain
        case 2: version = try reader.int64(field) ?? version
        default: try reader.skip(field)
        }
    }
}
