import Testing
@testable import FleetInference

/// A message of the tests that nests itself, to reach the depth limit through embedded messages.
private struct Chain: WireMessage {
    var links: [Chain] = []

    mutating func decodeField(_ field: WireField, from reader: inout WireReader) throws(WireError) {
        switch field.number {
        case 1: try reader.message(field, appendingTo: &links)
        default: try reader.skip(field)
        }
    }

    static func nested(_ depth: Int) -> [UInt8] {
        var bytes = [UInt8]()
        for _ in 0..<depth {
            var writer = WireWriter()
            writer.lengthDelimited(1, bytes)
            bytes = writer.bytes
        }
        return bytes
    }

    var depth: Int { links.map { $0.depth + 1 }.max() ?? 0 }
}

@Suite struct WireReaderTests {
    static func tensor(_ build: (inout WireWriter) -> Void) throws(WireError) -> TensorProto {
        var writer = WireWriter()
        build(&writer)
        return try TensorProto(serialized: writer.bytes)
    }

    @Test func packedAndUnpackedRepeatedFieldsDecodeAlike() throws {
        let dims: [Int64] = [2, 0, 300, Int64(Int32.max)]
        let floats: [Float] = [1.5, -0.0, .infinity, .leastNonzeroMagnitude, Float(bitPattern: 0x7FC0_1234)]
        let int32s: [Int32] = [0, -1, 127, 128, .min, .max]
        let int64s: [Int64] = [0, -1, 1 << 40, .min, .max]
        let doubles: [Double] = [0.1, -2, .greatestFiniteMagnitude]
        let uint64s: [UInt64] = [0, 1, .max]
        let unpacked = try Self.tensor { writer in
            for value in dims { writer.int64(1, value) }
            for value in floats { writer.float(4, value) }
            for value in int32s { writer.int32(5, value) }
            for value in int64s { writer.int64(7, value) }
            for value in doubles { writer.fixed64(10, value.bitPattern) }
            for value in uint64s { writer.varint(11, value) }
        }
        let packed = try Self.tensor { writer in
            writer.packedVarints(1, dims.map { UInt64(bitPattern: $0) })
            writer.packedFixed32(4, floats.map(\.bitPattern))
            writer.packedVarints(5, int32s.map { UInt64(bitPattern: Int64($0)) })
            writer.packedVarints(7, int64s.map { UInt64(bitPattern: $0) })
            writer.packedFixed64(10, doubles.map(\.bitPattern))
            writer.packedVarints(11, uint64s)
        }
        // A parser must also take a field split into several runs, packed and not.
        let mixed = try Self.tensor { writer in
            writer.int64(1, dims[0])
            writer.packedVarints(1, dims[1...2].map { UInt64(bitPattern: $0) })
            writer.int64(1, dims[3])
            writer.packedFixed32(4, floats.prefix(2).map(\.bitPattern))
            for value in floats.dropFirst(2) { writer.float(4, value) }
            writer.packedVarints(5, [])
            for value in int32s { writer.int32(5, value) }
            writer.packedVarints(7, int64s.prefix(1).map { UInt64(bitPattern: $0) })
            writer.packedVarints(7, int64s.dropFirst().map { UInt64(bitPattern: $0) })
            writer.fixed64(10, doubles[0].bitPattern)
            writer.packedFixed64(10, doubles.dropFirst().map(\.bitPattern))
            writer.varint(11, uint64s[0])
            writer.packedVarints(11, Array(uint64s.dropFirst()))
        }
        for proto in [unpacked, packed, mixed] {
            #expect(proto.dims == dims)
            #expect(proto.floatData.map(\.bitPattern) == floats.map(\.bitPattern))
            #expect(proto.int32Data == int32s)
            #expect(proto.int64Data == int64s)
            #expect(proto.doubleData == doubles)
            #expect(proto.uint64Data == uint64s)
        }
    }

    @Test func negativeIntegersAreTenByteVarints() throws {
        var writer = WireWriter()
        writer.int64(1, -1)
        #expect(writer.bytes.count == 11, "key and a ten-byte varint")
        let proto = try Self.tensor { writer in
            writer.int64(1, -1)
            writer.int64(1, .min)
            writer.int32(2, -7)
            writer.int32(5, .min)
        }
        #expect(proto.dims == [-1, .min])
        #expect(proto.dataType == -7)
        #expect(proto.int32Data == [.min])
        let attribute = try AttributeProto(serialized: { var w = WireWriter(); w.int64(3, -42); return w.bytes }())
        #expect(attribute.i == -42)
    }

    @Test func largestVarintIsAccepted() throws {
        var writer = WireWriter()
        writer.varint(11, .max)
        writer.varint(11, 1 << 63)
        #expect(try TensorProto(serialized: writer.bytes).uint64Data == [.max, 1 << 63])
    }

    @Test func unknownFieldsOfEveryWireTypeAreSkipped() throws {
        let plain = ModelProto(irVersion: 7, opsetImport: [OperatorSetIdProto(domain: "ai.onnx", version: 13)],
                               producerName: "producer")
        var writer = WireWriter()
        writer.varint(99, 12345)
        writer.int64(1, 7)
        writer.fixed64(98, 0xDEAD_BEEF)
        writer.string(2, "producer")
        writer.lengthDelimited(97, [0xFF, 0xFE, 0x00])  // not UTF-8, but nothing reads it
        writer.fixed32(96, 7)
        // A group holding a value of every type and a nested group.
        writer.key(95, .startGroup)
        writer.varint(1, 1)
        writer.fixed64(2, 2)
        writer.string(3, "three")
        writer.fixed32(4, 4)
        writer.key(5, .startGroup)
        writer.varint(1, 1)
        writer.key(5, .endGroup)
        writer.key(95, .endGroup)
        writer.message(8, OperatorSetIdProto(domain: "ai.onnx", version: 13))
        writer.string(6, "doc_string, a field the runtime does not read")
        // Known fields with a wire type their schema does not use are unknown fields too.
        writer.fixed32(1, 99)
        writer.varint(2, 99)
        writer.varint(7, 1)
        let decoded = try ModelProto(serialized: writer.bytes)
        #expect(decoded.irVersion == plain.irVersion)
        #expect(decoded.producerName == plain.producerName)
        #expect(decoded.opsetImport.map(\.domain) == ["ai.onnx"])
        #expect(decoded.opsetImport.map(\.version) == [13])
        #expect(decoded.graph == nil)
    }

    @Test func truncatedInputsAreTruncated() {
        var cases: [(String, [UInt8])] = [
            ("varint cut short", [0x08, 0x80, 0x80]),
            ("key cut short", [0x80]),
            ("fixed32 cut short", [0x15, 1, 2, 3]),
            ("fixed64 cut short", [0x11, 1, 2, 3, 4, 5, 6, 7]),
            ("length cut short", [0x42, 0x80]),
            ("length beyond the end", [0x42, 0x05, 0x61, 0x62]),
            ("length near 2^64", [0x42, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
            ("group without its end", [0x1B, 0x08, 0x01]),
        ]
        // A field whose length is inside the input but beyond the message that holds it.
        var inner = WireWriter()
        inner.key(8, .lengthDelimited)
        inner.varint(10)
        inner.raw(Array("ab".utf8))
        var outer = WireWriter()
        outer.lengthDelimited(13, inner.bytes)
        outer.raw(Array(repeating: 0x61, count: 8))
        cases.append(("length beyond the enclosing message", outer.bytes))
        for (name, bytes) in cases {
            #expect(throws: WireError.truncated, "\(name)") { try TensorProto(serialized: bytes) }
        }
    }

    @Test func brokenWireFormatIsMalformed() {
        let cases: [(String, [UInt8])] = [
            ("wire type 6", [0x0E, 0x00]),
            ("wire type 7", [0x0F, 0x00]),
            ("field number 0", [0x00, 0x01]),
            ("field number 0 as length-delimited", [0x02, 0x00]),
            ("varint of 11 bytes", [0x08] + Array(repeating: 0x80, count: 10) + [0x00]),
            ("tenth varint byte beyond 64 bits", [0x08] + Array(repeating: 0xFF, count: 9) + [0x02]),
            ("key beyond 32 bits", [0x80, 0x80, 0x80, 0x80, 0x10, 0x00]),
            ("end of a group never started", [0x0C]),
            ("group ended by another field", [0x1B, 0x24]),
            ("packed floats of 5 bytes", [0x22, 0x05, 1, 2, 3, 4, 5]),
            ("packed doubles of 12 bytes", [0x52, 0x0C] + Array(repeating: 0, count: 12)),
        ]
        for (name, bytes) in cases {
            let error = #expect(throws: WireError.self, "\(name)") { try TensorProto(serialized: bytes) }
            guard case .malformed? = error else { Issue.record("\(name): \(String(describing: error))"); continue }
        }
    }

    @Test func textFieldsMustBeUTF8() throws {
        let invalid: [UInt8] = [0x61, 0xC3, 0x28]
        #expect(throws: WireError.invalidUTF8) { try NodeProto(serialized: { var w = WireWriter(); w.lengthDelimited(3, invalid); return w.bytes }()) }
        #expect(throws: WireError.invalidUTF8) { try NodeProto(serialized: { var w = WireWriter(); w.lengthDelimited(1, invalid); return w.bytes }()) }
        #expect(throws: WireError.invalidUTF8) {
            try TensorShapeProto(serialized: { var w = WireWriter(); w.message(1) { $0.lengthDelimited(2, invalid) }; return w.bytes }())
        }
        // `bytes` fields and fields the runtime does not read are not text.
        var writer = WireWriter()
        writer.lengthDelimited(4, invalid)
        writer.lengthDelimited(9, invalid)
        writer.lengthDelimited(13, invalid)
        let attribute = try AttributeProto(serialized: writer.bytes)
        #expect(attribute.s.map(Array.init) == invalid)
        #expect(attribute.strings.map(Array.init) == [invalid])
        #expect(try NodeProto(serialized: { var w = WireWriter(); w.string(3, "Γειά σου 🌍"); return w.bytes }()).name == "Γειά σου 🌍")
    }

    @Test func embeddedMessagesNestAtMostOneHundredDeep() throws {
        #expect(try Chain(serialized: Chain.nested(WireReader.maxDepth)).depth == WireReader.maxDepth)
        #expect(throws: WireError.tooDeep) { try Chain(serialized: Chain.nested(WireReader.maxDepth + 1)) }
        #expect(throws: WireError.tooDeep) { try Chain(serialized: Chain.nested(2_000)) }
    }

    @Test func groupsNestAtMostOneHundredDeep() throws {
        func groups(_ depth: Int) -> [UInt8] {
            var writer = WireWriter()
            for _ in 0..<depth { writer.key(50, .startGroup) }
            for _ in 0..<depth { writer.key(50, .endGroup) }
            return writer.bytes
        }
        _ = try TensorProto(serialized: groups(WireReader.maxDepth))
        #expect(throws: WireError.tooDeep) { try TensorProto(serialized: groups(WireReader.maxDepth + 1)) }
        #expect(throws: WireError.tooDeep) { try TensorProto(serialized: groups(100_000)) }
    }

    @Test func lastValueOfASingularFieldWins() throws {
        var writer = WireWriter()
        writer.int64(1, 3)
        writer.string(2, "first")
        writer.int64(1, 8)
        writer.string(2, "second")
        let model = try ModelProto(serialized: writer.bytes)
        #expect(model.irVersion == 8)
        #expect(model.producerName == "second")

        let tensor = try Self.tensor { writer in
            writer.int32(2, 1)
            writer.lengthDelimited(9, [1, 2, 3])
            writer.int32(2, 2)
            writer.lengthDelimited(9, [4, 5])
            writer.int32(14, 1)
            writer.int32(14, 0)
        }
        #expect(tensor.dataType == 2)
        #expect(tensor.rawData.map(Array.init) == [4, 5])
        #expect(tensor.dataLocation == .default)

        let dimension = try TensorShapeProto.Dimension(serialized: {
            var w = WireWriter(); w.int64(1, 4); w.string(2, "batch"); return w.bytes
        }())
        #expect(dimension.value == .parameter("batch"))
        let size = try TensorShapeProto.Dimension(serialized: {
            var w = WireWriter(); w.string(2, "batch"); w.int64(1, 4); return w.bytes
        }())
        #expect(size.value == .size(4))
    }

    @Test func unknownEnumValuesLeaveTheFieldAsItWas() throws {
        var writer = WireWriter()
        writer.int32(20, 1)
        writer.int32(20, 99)
        writer.int32(20, -1)
        #expect(try AttributeProto(serialized: writer.bytes).type == .float)
        #expect(try Self.tensor { $0.int32(14, 1); $0.int32(14, 5) }.dataLocation == .external)
    }

    @Test func singularMessageFieldsMergeAndRepeatedOnesAppend() throws {
        var writer = WireWriter()
        writer.message(7, GraphProto(node: [TestModels.node("Relu", ["x"], ["y"])], input: [TestModels.value("x", .float32, [1])]))
        writer.message(8, OperatorSetIdProto(version: 13))
        writer.message(7, GraphProto(node: [TestModels.node("Neg", ["y"], ["z"])], output: [TestModels.value("z", .float32, [1])]))
        writer.message(8, OperatorSetIdProto(domain: "ai.onnx.ml", version: 3))
        let model = try ModelProto(serialized: writer.bytes)
        #expect(model.graph?.node.map(\.opType) == ["Relu", "Neg"])
        #expect(model.graph?.input.map(\.name) == ["x"])
        #expect(model.graph?.output.map(\.name) == ["z"])
        #expect(model.opsetImport.map(\.version) == [13, 3])

        // Two tensor types merge; another kind of type replaces the tensor type, and back.
        var type = WireWriter()
        type.message(1) { $0.int32(1, 7) }
        type.message(1) { $0.message(2, TensorShapeProto(dim: [.init(value: .size(3))])) }
        let merged = try TypeProto(serialized: type.bytes)
        #expect(merged.tensorType?.elemType == 7)
        #expect(merged.tensorType?.shape?.dim.map(\.value) == [.size(3)])
        type.message(4) { $0.message(1) { $0.message(1) { $0.int32(1, 1) } } }
        let sequence = try TypeProto(serialized: type.bytes)
        guard case .sequence? = sequence.value else { Issue.record("\(String(describing: sequence.value))"); return }
        type.message(1) { $0.int32(1, 1) }
        #expect(try TypeProto(serialized: type.bytes).tensorType?.elemType == 1)
    }

    @Test func bytesValuesArePartsOfTheInput() throws {
        let payload = (0..<4096).map { UInt8(truncatingIfNeeded: $0) }
        let proto = try Self.tensor { $0.int64(1, 4096); $0.int32(2, 2); $0.lengthDelimited(9, payload) }
        let raw = try #require(proto.rawData)
        #expect(Array(raw) == payload)
        #expect(raw.startIndex > 0, "a slice of the serialized tensor, not a copy")
    }
}
