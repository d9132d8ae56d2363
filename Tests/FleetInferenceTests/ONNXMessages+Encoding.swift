@testable import FleetInference

// Encodes the runtime's ONNX message types as the `onnx` package writes them: repeated numbers that
// onnx.proto marks packed (the tensor data) are packed, the others (dims, attribute lists) are not.

extension ModelProto: WireEncodable {
    func encode(to writer: inout WireWriter) {
        if irVersion != 0 { writer.int64(1, irVersion) }
        if !producerName.isEmpty { writer.string(2, producerName) }
        if !producerVersion.isEmpty { writer.string(3, producerVersion) }
        if let graph { writer.message(7, graph) }
        for entry in opsetImport { writer.message(8, entry) }
    }
}

extension OperatorSetIdProto: WireEncodable {
    func encode(to writer: inout WireWriter) {
        if !domain.isEmpty { writer.string(1, domain) }
        writer.int64(2, version)
    }
}

extension GraphProto: WireEncodable {
    func encode(to writer: inout WireWriter) {
        for value in node { writer.message(1, value) }
        writer.string(2, "test")
        for value in initializer { writer.message(5, value) }
        for value in input { writer.message(11, value) }
        for value in output { writer.message(12, value) }
        for value in valueInfo { writer.message(13, value) }
        if hasSparseInitializer {
            // SparseTensorProto { values: TensorProto { dims: [1] }, dims: [4] }
            writer.message(15) { sparse in
                sparse.message(1) { $0.int64(1, 1) }
                sparse.int64(3, 4)
            }
        }
    }
}

extension NodeProto: WireEncodable {
    func encode(to writer: inout WireWriter) {
        for value in input { writer.string(1, value) }
        for value in output { writer.string(2, value) }
        if !name.isEmpty { writer.string(3, name) }
        writer.string(4, opType)
        for value in attribute { writer.message(5, value) }
        if !domain.isEmpty { writer.string(7, domain) }
    }
}

extension AttributeProto: WireEncodable {
    func encode(to writer: inout WireWriter) {
        writer.string(1, name)
        if let f { writer.float(2, f) }
        if let i { writer.int64(3, i) }
        if let s { writer.lengthDelimited(4, s) }
        if let t { writer.message(5, t) }
        if hasG { writer.message(6) { $0.string(2, "subgraph") } }
        for value in floats { writer.float(7, value) }
        for value in ints { writer.int64(8, value) }
        for value in strings { writer.lengthDelimited(9, value) }
        if type != .undefined { writer.int32(20, type.rawValue) }
    }
}

extension TensorProto: WireEncodable {
    func encode(to writer: inout WireWriter) {
        for value in dims { writer.int64(1, value) }
        writer.int32(2, dataType)
        if hasSegment { writer.message(3) { $0.int64(1, 0); $0.int64(2, 1) } }
        if !floatData.isEmpty { writer.packedFixed32(4, floatData.map(\.bitPattern)) }
        if !int32Data.isEmpty { writer.packedVarints(5, int32Data.map { UInt64(bitPattern: Int64($0)) }) }
        if !int64Data.isEmpty { writer.packedVarints(7, int64Data.map { UInt64(bitPattern: $0) }) }
        if !name.isEmpty { writer.string(8, name) }
        if let rawData { writer.lengthDelimited(9, rawData) }
        if !doubleData.isEmpty { writer.packedFixed64(10, doubleData.map(\.bitPattern)) }
        if !uint64Data.isEmpty { writer.packedVarints(11, uint64Data) }
        for entry in externalData { writer.message(13, entry) }
        if dataLocation != .default { writer.int32(14, dataLocation.rawValue) }
    }
}

extension StringStringEntryProto: WireEncodable {
    func encode(to writer: inout WireWriter) {
        writer.string(1, key)
        writer.string(2, value)
    }
}

extension ValueInfoProto: WireEncodable {
    func encode(to writer: inout WireWriter) {
        writer.string(1, name)
        if let type { writer.message(2, type) }
    }
}

extension TypeProto: WireEncodable {
    func encode(to writer: inout WireWriter) {
        switch value {
        case .tensor(let tensor)?: writer.message(1, tensor)
        // Sequence, Map and Optional hold a TypeProto; SparseTensor has the shape of Tensor.
        case .sequence?: writer.message(4) { $0.message(1) { $0.message(1) { $0.int32(1, 1) } } }
        case .map?: writer.message(5) { $0.int32(1, 8); $0.message(2) { $0.message(1) { $0.int32(1, 1) } } }
        case .sparseTensor?: writer.message(8) { $0.int32(1, 1) }
        case .optional?: writer.message(9) { $0.message(1) { $0.message(1) { $0.int32(1, 1) } } }
        case nil: writer.string(6, "denotation only")
        }
    }
}

extension TypeProto.TensorType: WireEncodable {
    func encode(to writer: inout WireWriter) {
        writer.int32(1, elemType)
        if let shape { writer.message(2, shape) }
    }
}

extension TensorShapeProto: WireEncodable {
    func encode(to writer: inout WireWriter) {
        for value in dim { writer.message(1, value) }
    }
}

extension TensorShapeProto.Dimension: WireEncodable {
    func encode(to writer: inout WireWriter) {
        switch value {
        case .size(let size)?: writer.int64(1, size)
        case .parameter(let name)?: writer.string(2, name)
        case nil: break
        }
    }
}
