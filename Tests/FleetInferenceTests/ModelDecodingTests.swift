import Testing
@testable import FleetInference

/// What `Model(bytes:)` makes of the messages it decodes: errors for broken bytes, and the same
/// model whichever valid encoding the file uses.
@Suite struct ModelDecodingTests {
    static func malformedDetail(_ bytes: [UInt8]) -> String? {
        do {
            _ = try Model(bytes: bytes)
            return nil
        } catch {
            guard case .malformed(let detail) = error.reason else { return "not malformed: \(error)" }
            return detail
        }
    }

    @Test func brokenBytesAreMalformedWithAReason() {
        let model = TestModels.bytes(TestModels.mlp())
        #expect(Self.malformedDetail(Array(model.dropLast())) == "the file is truncated")
        #expect(Self.malformedDetail(model + [0x0F]) == "the bytes are not a protobuf message (unknown wire type 7)")
        #expect(Self.malformedDetail(model + [0x00, 0x00]) == "the bytes are not a protobuf message (field number 0)")

        // A second graph field merges into the first: a node whose name is not UTF-8.
        var badText = WireWriter()
        badText.message(7) { $0.message(1) { $0.lengthDelimited(3, [0x61, 0xFF]) } }
        #expect(Self.malformedDetail(model + badText.bytes) == "a text field is not valid UTF-8")

        var deep = WireWriter()
        for _ in 0...WireReader.maxDepth { deep.key(30, .startGroup) }
        for _ in 0...WireReader.maxDepth { deep.key(30, .endGroup) }
        #expect(Self.malformedDetail(model + deep.bytes) == "the message nests too deeply")
        #expect(ModelError(.malformed("the file is truncated")).description == "not a valid ONNX model: the file is truncated")
    }

    @Test func tensorDataDecodesAlikeInEveryEncoding() throws {
        let values: [Float] = [1, -1, 2, 0.5, -1, 1]
        let raw = TestModels.tensor("w", try Tensor(shape: [3, 2], values: values))
        var packed = TensorProto(dims: [3, 2], dataType: 1, floatData: values, name: "w")
        let fromRaw = try Tensor(proto: raw, context: "raw")
        let fromPacked = try Tensor(proto: packed, context: "packed")
        // The same through the wire, unpacked floats and packed dims this time.
        var writer = WireWriter()
        writer.packedVarints(1, [3, 2])
        writer.int32(2, 1)
        for value in values { writer.float(4, value) }
        let fromUnpacked = try Tensor(proto: try TensorProto(serialized: writer.bytes), context: "unpacked")
        #expect(fromRaw == fromPacked)
        #expect(fromRaw == fromUnpacked)
        #expect(fromRaw.values(as: Float.self) == values)

        packed.floatData.removeLast()
        let error = #expect(throws: ModelError.self) { try Tensor(proto: packed, context: "initializer 'w'") }
        #expect(error?.description.contains("holds 5 values") == true)
    }

    @Test func boolRawDataIsNormalised() throws {
        let proto = TensorProto(dims: [3], dataType: TensorElementType.bool.onnxCode, rawData: [0, 7, 1])
        #expect(try Tensor(proto: proto, context: "b").values(as: Bool.self) == [false, true, true])
    }

    @Test func negativeAndHugeDimensionsAreRefused() throws {
        for dims: [Int64] in [[-1], [.min], [1 << 40], [1 << 30, 1 << 30]] {
            let proto = TensorProto(dims: dims, dataType: 1, rawData: [])
            let error = #expect(throws: ModelError.self) { try Tensor(proto: proto, context: "t") }
            guard case .invalidGraph? = error?.reason else { Issue.record("\(dims): \(String(describing: error))"); continue }
        }
    }

    @Test func unsupportedFeaturesKeepTheirErrors() throws {
        var sparse = TestModels.mlp()
        sparse.graph?.hasSparseInitializer = true
        #expect(throws: ModelError(.unsupportedType("sparse initializers"))) { try Model(bytes: TestModels.bytes(sparse)) }

        var segment = TestModels.mlp()
        segment.graph?.initializer[0].hasSegment = true
        let segmentError = #expect(throws: ModelError.self) { try Model(bytes: TestModels.bytes(segment)) }
        #expect(segmentError?.description.contains("segment of a larger tensor") == true)

        var external = TestModels.mlp()
        external.graph?.initializer[0].externalData = [StringStringEntryProto(key: "location", value: "weights.bin")]
        let externalError = #expect(throws: ModelError.self) { try Model(bytes: TestModels.bytes(external)) }
        #expect(externalError?.description.contains("external file") == true)

        for kind: TypeProto.Value in [.sequence, .map, .optional, .sparseTensor] {
            var model = TestModels.mlp()
            model.graph?.input[0].type = TypeProto(value: kind)
            let error = #expect(throws: ModelError.self) { try Model(bytes: TestModels.bytes(model)) }
            #expect(error?.description.contains("is not a tensor") == true, "\(kind)")
        }
        var untyped = TestModels.mlp()
        untyped.graph?.input[0].type = TypeProto()
        let untypedError = #expect(throws: ModelError.self) { try Model(bytes: TestModels.bytes(untyped)) }
        #expect(untypedError?.description.contains("is not a tensor") == true)
    }

    @Test func attributesWithoutATypeAreTypedByTheirValue() throws {
        func value(_ attribute: AttributeProto) throws -> AttributeValue {
            try AttributeValue(proto: try AttributeProto(serialized: attribute.serialized), node: "n")
        }
        guard case .float(2.5) = try value(AttributeProto(name: "a", f: 2.5)) else { Issue.record("float"); return }
        guard case .int(-3) = try value(AttributeProto(name: "a", i: -3)) else { Issue.record("int"); return }
        guard case .string("on") = try value(AttributeProto(name: "a", s: Array("on".utf8)[...])) else { Issue.record("string"); return }
        guard case .ints([1, -2]) = try value(AttributeProto(name: "a", ints: [1, -2])) else { Issue.record("ints"); return }
        guard case .floats([0.5]) = try value(AttributeProto(name: "a", floats: [0.5])) else { Issue.record("floats"); return }
        guard case .strings(["p", "q"]) = try value(AttributeProto(name: "a", strings: [Array("p".utf8)[...], Array("q".utf8)[...]])) else {
            Issue.record("strings"); return
        }
        guard case .unsupported("subgraph") = try value(AttributeProto(name: "a", hasG: true)) else { Issue.record("graph"); return }
        guard case .unsupported("empty attribute") = try value(AttributeProto(name: "a")) else { Issue.record("empty"); return }
        let tensor = try value(AttributeProto(name: "a", t: TestModels.tensor("", try Tensor(shape: [1], values: [Int64(9)]))))
        guard case .tensor(let decoded) = tensor, decoded.values(as: Int64.self) == [9] else { Issue.record("tensor"); return }
    }
}
