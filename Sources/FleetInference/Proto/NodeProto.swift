/// The fields of ONNX's `NodeProto` this runtime reads.
struct NodeProto: WireMessage {
    var input: [String] = []
    var output: [String] = []
    var name = ""
    var opType = ""
    var domain = ""
    var attribute: [AttributeProto] = []

    mutating func decodeField(_ field: WireField, from reader: inout WireReader) throws(WireError) {
        switch field.number {
        case 1: try reader.string(field, appendingTo: &input)
        case 2: try reader.string(field, appendingTo: &output)
        case 3: name = try reader.string(field) ?? name
        case 4: opType = try reader.string(field) ?? opType
        case 5: try reader.message(field, appendingTo: &attribute)
        case 7: domain = try reader.string(field) ?? domain
        default: try reader.skip(field)
        }
    }
}
