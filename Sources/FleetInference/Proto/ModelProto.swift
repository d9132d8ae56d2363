/// The fields of ONNX's `ModelProto` this runtime reads.
struct ModelProto: WireMessage {
    var irVersion: Int64 = 0
    var opsetImport: [OperatorSetIdProto] = []
    var producerName = ""
    var producerVersion = ""
    var graph: GraphProto?

    mutating func decodeField(_ field: WireField, from reader: inout WireReader) throws(WireError) {
        switch field.number {
        case 1: irVersion = try reader.int64(field) ?? irVersion
        case 2: producerName = try reader.string(field) ?? producerName
        case 3: producerVersion = try reader.string(field) ?? producerVersion
        case 7: try reader.message(field, into: &graph)
        case 8: try reader.message(field, appendingTo: &opsetImport)
        default: try reader.skip(field)
        }
    }
}
