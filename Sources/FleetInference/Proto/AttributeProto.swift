/// The fields of ONNX's `AttributeProto` this runtime reads. Subgraphs, sparse tensors, type protos
/// and tensor lists are not computed with, so only the presence of a subgraph (`g`) is kept.
struct AttributeProto: WireMessage {
    /// ONNX's `AttributeProto.AttributeType`.
    enum AttributeType: Int32 {
        case undefined = 0
        case float = 1
        case int = 2
        case string = 3
        case tensor = 4
        case graph = 5
        case floats = 6
        case ints = 7
        case strings = 8
        case tensors = 9
        case graphs = 10
        case sparseTensor = 11
        case sparseTensors = 12
        case typeProto = 13
        case typeProtos = 14
    }

    var name = ""
    /// `.undefined` when the file leaves the type out (before IR version 2) or gives a code this
    /// runtime does not know; unknown codes are ignored as protobuf ignores unknown enum values.
    var type = AttributeType.undefined
    var f: Float?
    var i: Int64?
    var s: ArraySlice<UInt8>?
    var t: TensorProto?
    /// Whether the attribute holds a subgraph (`g`).
    var hasG = false
    var floats: [Float] = []
    var ints: [Int64] = []
    var strings: [ArraySlice<UInt8>] = []

    mutating func decodeField(_ field: WireField, from reader: inout WireReader) throws(WireError) {
        switch field.number {
        case 1: name = try reader.string(field) ?? name
        case 2: f = try reader.float(field) ?? f
        case 3: i = try reader.int64(field) ?? i
        case 4: s = try reader.bytes(field) ?? s
        case 5: try reader.message(field, into: &t)
        case 6: if try reader.skipMessage(field) { hasG = true }
        case 7: try reader.fixed32s(field, appendingTo: &floats) { Float(bitPattern: $0) }
        case 8: try reader.varints(field, appendingTo: &ints) { Int64(bitPattern: $0) }
        case 9: try reader.bytes(field, appendingTo: &strings)
        case 20:
            if let code = try reader.int32(field), let known = AttributeType(rawValue: code) { type = known }
        default: try reader.skip(field)
        }
    }
}
