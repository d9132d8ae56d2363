import Testing
@testable import FleetInference

@Suite struct ModelLoadingTests {
    @Test func truncatedFileIsMalformed() throws {
        let bytes = try TestModels.bytes(TestModels.mlp())
        let error = #expect(throws: ModelError.self) { try Model(bytes: bytes.prefix(bytes.count / 2)) }
        guard case .malformed? = error?.reason else { Issue.record("expected malformed, got \(String(describing: error))"); return }
    }

    @Test func randomBytesAreMalformed() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for length in [1, 7, 64, 1000, 4096] {
            let bytes = (0..<length).map { _ -> UInt8 in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return UInt8(truncatingIfNeeded: state >> 33)
            }
            let error = #expect(throws: ModelError.self) { try Model(bytes: bytes) }
            guard case .malformed? = error?.reason else { Issue.record("length \(length): \(String(describing: error))"); continue }
        }
    }

    @Test func emptyFileIsMalformed() {
        let error = #expect(throws: ModelError.self) { try Model(bytes: [UInt8]()) }
        #expect(error?.description.contains("no graph") == true)
    }

    @Test func everyUnsupportedOperatorIsNamed() throws {
        let model = TestModels.model(
            nodes: [
                TestModels.node("LSTM", ["x"], ["a"]), TestModels.node("Relu", ["a"], ["b"]),
                TestModels.node("FancyOp", ["b"], ["c"]), TestModels.node("LSTM", ["c"], ["d"]),
                TestModels.node("Bogus", ["d"], ["y"]),
            ],
            inputs: [TestModels.value("x", .float32, [1])], outputs: [TestModels.value("y", .float32, [1])])
        let error = #expect(throws: ModelError.self) { try Model(bytes: TestModels.bytes(model)) }
        #expect(error?.reason == .unsupportedOperators(["Bogus", "FancyOp", "LSTM"]))
        let text = error?.description ?? ""
        for name in ["Bogus", "FancyOp", "LSTM"] { #expect(text.contains(name)) }
        #expect(text.contains("3 unsupported operators"))
    }

    @Test func otherDomainsAreUnsupported() throws {
        var node = TestModels.node("FusedConv", ["x"], ["y"])
        node.domain = "com.microsoft"
        let model = TestModels.model(nodes: [node], inputs: [TestModels.value("x", .float32, [1])],
                                     outputs: [TestModels.value("y", .float32, [1])])
        let error = #expect(throws: ModelError.self) { try Model(bytes: TestModels.bytes(model)) }
        #expect(error?.reason == .unsupportedOperators(["com.microsoft.FusedConv"]))
    }

    @Test func opsetOutsideTheRangeIsRefused() throws {
        let model = TestModels.model(nodes: [TestModels.node("Relu", ["x"], ["y"])], inputs: [TestModels.value("x", .float32, [1])],
                                     outputs: [TestModels.value("y", .float32, [1])], opset: 99)
        let error = #expect(throws: ModelError.self) { try Model(bytes: TestModels.bytes(model)) }
        #expect(error?.reason == .unsupportedOpset(domain: "", version: 99))
    }

    @Test func cycleIsRejected() throws {
        let model = TestModels.model(
            nodes: [TestModels.node("Add", ["x", "b"], ["a"], name: "first"), TestModels.node("Relu", ["a"], ["b"], name: "second"),
                    TestModels.node("Identity", ["a"], ["y"])],
            inputs: [TestModels.value("x", .float32, [1])], outputs: [TestModels.value("y", .float32, [1])])
        let error = #expect(throws: ModelError.self) { try Model(bytes: TestModels.bytes(model)) }
        #expect(error?.description.contains("cycle") == true)
    }

    @Test func undefinedValueIsRejected() throws {
        let model = TestModels.model(
            nodes: [TestModels.node("Add", ["x", "nowhere"], ["y"], name: "adder")],
            inputs: [TestModels.value("x", .float32, [1])], outputs: [TestModels.value("y", .float32, [1])])
        let error = #expect(throws: ModelError.self) { try Model(bytes: TestModels.bytes(model)) }
        #expect(error?.description.contains("'nowhere'") == true)
    }

    @Test func nodesOutOfOrderAreSorted() throws {
        let model = TestModels.model(
            nodes: [TestModels.node("Relu", ["a"], ["y"]), TestModels.node("Neg", ["x"], ["a"])],
            inputs: [TestModels.value("x", .float32, [2])], outputs: [TestModels.value("y", .float32, [2])])
        let session = try InferenceSession(model: try Model(bytes: TestModels.bytes(model)))
        let output = try session.run(["x": try Tensor(shape: [2], values: [Float](arrayLiteral: 1, -2))])
        #expect(output[0].tensor.values(as: Float.self) == [0, 2])
    }

    @Test func initializerSizeMismatchIsRejected() throws {
        var model = TestModels.mlp()
        model.graph.initializer[0].rawData = .init([UInt8](repeating: 0, count: 5))
        let error = #expect(throws: ModelError.self) { try Model(bytes: TestModels.bytes(model)) }
        guard case .invalidGraph(let detail)? = error?.reason else { Issue.record("\(String(describing: error))"); return }
        #expect(detail.contains("initializer 'b'"))
    }

    @Test func externalDataIsExplained() throws {
        var model = TestModels.mlp()
        model.graph.initializer[0].dataLocation = .external
        let error = #expect(throws: ModelError.self) { try Model(bytes: TestModels.bytes(model)) }
        #expect(error?.description.contains("external file") == true)
    }

    @Test func descriptionListsInputsOutputsAndOperators() throws {
        let model = try Model(bytes: TestModels.bytes(TestModels.mlp()))
        let description = model.description
        #expect(description.opsetVersion == 17)
        #expect(description.irVersion == 8)
        #expect(description.producer == "fleet-tests")
        #expect(description.inputs == [TensorInfo(name: "x", elementType: .float32, shape: [.symbolic("batch"), .fixed(3)])])
        #expect(description.outputs.map(\.name) == ["y"])
        #expect(description.operators == ["Add", "MatMul", "Relu"])
    }

    @Test func openOutputShapesAreInferred() throws {
        let model = TestModels.model(
            nodes: [TestModels.node("Transpose", ["x"], ["t"]), TestModels.node("Flatten", ["t"], ["y"])],
            inputs: [TestModels.value("x", .float32, [2, 3, 4])],
            outputs: [{ var info = TestModels.value("y", .float32, []); info.type.tensorType.clearShape(); return info }()])
        let loaded = try Model(bytes: TestModels.bytes(model))
        #expect(loaded.description.outputs[0].shape == [.fixed(4), .fixed(6)])
    }

    @Test func incompatibleFixedShapesFailAtLoad() throws {
        let model = TestModels.model(
            nodes: [TestModels.node("Add", ["x", "z"], ["y"], name: "sum")],
            inputs: [TestModels.value("x", .float32, [2, 3]), TestModels.value("z", .float32, [4])],
            outputs: [TestModels.value("y", .float32, [2, 3])])
        let error = #expect(throws: ModelError.self) { try Model(bytes: TestModels.bytes(model)) }
        #expect(error?.description.contains("do not broadcast") == true)
    }
}
