import Foundation
import FleetCore
import FleetExecutor
import FleetInference
import FleetJSON
import Testing

/// `fleet-executor infer`'s work: JSON tensors to FleetInference and back, latency figures, errors for people.
@Suite struct LocalInferenceTests {
    @Test func runPrintsTheOutputsAndWithRepeatTheLatencyFigures() throws {
        let model = try ONNXFixtures.file("affine", 0).path
        let x = TensorArgument(name: "x", source: .inline(#"{"shape": [1, 4], "data": [0.5, -1, 2, 0.25]}"#))
        let once = try LocalInference.run(modelPath: model, inputs: [x])
        let values = once["outputs"]?["y"]?["data"]?.arrayValue?.compactMap(\.doubleValue) ?? []
        let expected = ONNXFixtures.affine([0.5, -1, 2, 0.25], variant: 0)
        #expect(values.count == 3 && zip(values, expected).allSatisfy { abs($0 - Double($1)) <= 1e-6 }, "\(once)")
        #expect(once["latency_ms"]?.doubleValue != nil && once["peak_rss_bytes"] == nil)

        let repeated = try LocalInference.run(modelPath: model, inputs: [x], repeatCount: 50)
        #expect(repeated["outputs"] == once["outputs"])
        let latency = try #require(repeated["latency_ms"])
        let figures = ["min", "median", "p99", "max"].compactMap { latency[$0]?.doubleValue }
        #expect(figures.count == 4 && figures == figures.sorted() && figures[0] > 0, "\(latency)")
        #expect(latency["runs"] == 50)
        #expect((repeated["peak_rss_bytes"]?.int64Value ?? 0) > 1_000_000)
    }

    @Test func failuresSayWhatIsWrong() throws {
        let model = try ONNXFixtures.file("affine", 0).path
        let notAModel = ONNXFixtures.directory.appendingPathComponent("tensor.json")
        try Data(#"{"shape": [1, 4], "data": [1, 2, 3, 4]}"#.utf8).write(to: notAModel)
        let good = TensorArgument(name: "x", source: .file(notAModel.path))
        let cases: [(String, [TensorArgument], String)] = [
            ("/nonexistent/model.onnx", [good], "cannot read the model /nonexistent/model.onnx: no such file"),
            (notAModel.path, [good], "cannot load \(notAModel.path): not a valid ONNX model"),
            (model, [TensorArgument(name: "x", source: .file("/nonexistent.json"))], "cannot read the tensor file /nonexistent.json: no such file"),
            (model, [TensorArgument(name: "x", source: .inline("{\"shape\": [1, 4]"))], "input 'x' from the command line: invalid JSON"),
            (model, [TensorArgument(name: "z", source: .file(notAModel.path))], "the model has no input named 'z' (the model's inputs: x)"),
            (model, [TensorArgument(name: "x", source: .inline(#"{"shape": [2, 2], "data": [1, 2, 3, 4]}"#))],
             "input 'x' must have shape [1, 4], got [2, 2]"),
            (model, [], "input 'x' is missing"),
        ]
        for (path, inputs, message) in cases {
            #expect { try LocalInference.run(modelPath: path, inputs: inputs) } throws: { "\($0)".hasPrefix(message) }
        }
    }

    @Test func latencySummaryPicksMedianAndP99FromTheSortedSamples() {
        let summary = LatencySummary([5, 1, 3, 2, 4].map { Duration.milliseconds($0) })
        #expect(summary.median == 3 && summary.min == 1 && summary.max == 5 && summary.p99 == 5 && summary.runs == 5)
        let many = LatencySummary((1...200).map { Duration.microseconds($0) })
        #expect(many.median == 0.101 && many.p99 == 0.199, "index count/2 and count*99/100")
        #expect(many.json["runs"] == 200)
    }
}

/// TensorPayload (the JSON form) to FleetInference's Tensor and back.
@Suite struct TensorConversionTests {
    @Test func everyJSONElementTypeRoundTrips() throws {
        let payloads: [TensorPayload.Elements] = [
            .float32([0.5, -1.25]), .int8([-128, 127]), .uint8([0, 255]), .int32([-7, 1 << 30]), .int64([Int64.min, 3]),
        ]
        for elements in payloads {
            let payload = try TensorPayload(shape: [2, 1], elements: elements)
            let tensor = try payload.tensor()
            #expect(tensor.shape == [2, 1] && tensor.elementType.rawValue == payload.elementType.rawValue)
            #expect(try TensorPayload(tensor) == payload)
        }
    }

    @Test func otherOutputTypesAreWidenedOrRounded() throws {
        #expect(try TensorPayload(try Tensor(shape: [3], values: [true, false, true])).elements == .int32([1, 0, 1]))
        #expect(try TensorPayload(try Tensor(shape: [2], values: [Int16(-3), 4])).elements == .int32([-3, 4]))
        #expect(try TensorPayload(try Tensor(shape: [1], values: [UInt32.max])).elements == .int64([Int64(UInt32.max)]))
        #expect(try TensorPayload(try Tensor(shape: [2], values: [0.1, 2.0])).elements == .float32([0.1, 2]))
        #expect(try TensorPayload(try Tensor(shape: [1], values: [UInt64(7)])).elements == .int64([7]))
        #expect { try TensorPayload(try Tensor(shape: [1], values: [UInt64.max])) } throws: {
            "\($0)" == "the uint64 output value 18446744073709551615 does not fit the int64 of a JSON tensor"
        }
    }

    @Test func outputsBecomeOneTensorPerName() throws {
        let json = try TensorPayload.outputsJSON([("b", try Tensor(shape: [], values: [Float(1.5)])),
                                                  ("a", try Tensor(shape: [1, 2], values: [Int64(1), 2]))])
        #expect(json == ["a": ["shape": [1, 2], "data": [1, 2], "dtype": "int64"],
                         "b": ["shape": [], "data": [1.5], "dtype": "float32"]])
    }
}
