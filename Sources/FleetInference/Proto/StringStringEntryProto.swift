/// A key-value pair: ONNX's `StringStringEntryProto` (the entries of a tensor's `external_data`).
struct StringStringEntryProto: WireMessage {
    var key = ""
    var value = ""

    mutating func decodeField(_ field: WireField, from reader: inout WireReader) throws(WireError) {
        switch field.number {
        case 1: key = try reader.string(field) ?? key
        case 2: value = try reader.string(field) ?? value
        default: try reader.skip(field)
        }
    }
}
