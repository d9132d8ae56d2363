/// A declared graph input, output or intermediate value: ONNX's `ValueInfoProto`.
struct ValueInfoProto: WireMessage {
    var name = ""
    var type: TypeProto?

    mutating func decodeField(_ field: WireField, from reader: inout WireReader) throws(WireError) {
        switch field.number {
        case 1: name = try reader.string(field) ?? name
        case 2: try reader.message(field, into: &type)
        default: try reader.skip(field)
        }
    }
}
