/// The fields of ONNX's `GraphProto` this runtime reads.
struct GraphProto: WireMessage {
    var node: [NodeProto] = []
    var initializer: [TensorProto] = []
    /// Whether the graph has sparse initializers, which this runtime refuses.
    var hasSparseInitializer = false
    var input: [ValueInfoProto] = []
    var output: [ValueInfoProto] = []
    var valueInfo: [ValueInfoProto] = []

    mutating func decodeField(_ field: WireField, from reader: inout WireReader) throws(WireError) {
        switch field.number {
        case 1: try reader.message(field, appendingTo: &node)
        case 5: try reader.message(field, appendingTo: &initializer)
        case 11: try reader.message(field, appendingTo: &input)
        case 12: try reader.message(field, appendingTo: &output)
        case 13: try reader.message(field, appendingTo: &valueInfo)
        case 15: if try reader.skipMessage(field) { hasSparseInitializer = true }
        default: try reader.skip(field)
        }
    }
}
