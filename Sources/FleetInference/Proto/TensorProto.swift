/// The fields of ONNX's `TensorProto` this runtime reads: an initializer, a tensor attribute or a
/// test data file. `rawData` shares the storage of the bytes the tensor was decoded from.
struct TensorProto: WireMessage {
    /// ONNX's `TensorProto.DataLocation`.
    enum DataLocation: Int32 {
        case `default` = 0
        case external = 1
    }

    var dims: [Int64] = []
    /// A `TensorProto.DataType` code (see `TensorElementType(onnxCode:)`).
    var dataType: Int32 = 0
    /// Whether the tensor is a segment of a larger one, which this runtime refuses.
    var hasSegment = false
    var floatData: [Float] = []
    var int32Data: [Int32] = []
    var int64Data: [Int64] = []
    var name = ""
    var rawData: ArraySlice<UInt8>?
    var doubleData: [Double] = []
    var uint64Data: [UInt64] = []
    var externalData: [StringStringEntryProto] = []
    /// Unknown codes are ignored, as protobuf ignores unknown enum values.
    var dataLocation = DataLocation.default

    mutating func decodeField(_ field: WireField, from reader: inout WireReader) throws(WireError) {
        switch field.number {
        case 1: try reader.varints(field, appendingTo: &dims) { Int64(bitPattern: $0) }
        case 2: dataType = try reader.int32(field) ?? dataType
        case 3: if try reader.skipMessage(field) { hasSegment = true }
        case 4: try reader.fixed32s(field, appendingTo: &floatData) { Float(bitPattern: $0) }
        case 5: try reader.varints(field, appendingTo: &int32Data) { Int32(truncatingIfNeeded: $0) }
        case 7: try reader.varints(field, appendingTo: &int64Data) { Int64(bitPattern: $0) }
        case 8: name = try reader.string(field) ?? name
        case 9: rawData = try reader.bytes(field) ?? rawData
        case 10: try reader.fixed64s(field, appendingTo: &doubleData) { Double(bitPattern: $0) }
        case 11: try reader.varints(field, appendingTo: &uint64Data) { $0 }
        case 13: try reader.message(field, appendingTo: &externalData)
        case 14:
            if let code = try reader.int32(field), let known = DataLocation(rawValue: code) { dataLocation = known }
        default: try reader.skip(field)
        }
    }
}
