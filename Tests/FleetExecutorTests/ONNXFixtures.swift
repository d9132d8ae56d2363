import Foundation
import Testing

/// ONNX models built for the tests with the `onnx` Python package (`python3 -c`), written to a temporary folder.
enum ONNXFixtures {
    /// `affine VARIANT`: `x` float32[1, 4] -> `y` = Sigmoid(x·W + VARIANT) float32[1, 3].
    /// `double N`: `x` float32[1, N] -> `y` = 2x float32[1, N].
    static let script = """
        import sys
        import numpy as np
        import onnx
        from onnx import helper, numpy_helper, TensorProto
        kind, argument, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
        if kind == "affine":
            weight = numpy_helper.from_array((np.arange(12, dtype=np.float32).reshape(4, 3) - 5) / 10, "W")
            bias = numpy_helper.from_array(np.full(3, argument, dtype=np.float32), "B")
            nodes = [helper.make_node("MatMul", ["x", "W"], ["h"]), helper.make_node("Add", ["h", "B"], ["z"]),
                     helper.make_node("Sigmoid", ["z"], ["y"])]
            shape_in, shape_out, initializers = [1, 4], [1, 3], [weight, bias]
        elif kind == "double":
            two = numpy_helper.from_array(np.array([2], dtype=np.float32), "two")
            nodes = [helper.make_node("Mul", ["x", "two"], ["y"])]
            shape_in, shape_out, initializers = [1, argument], [1, argument], [two]
        graph = helper.make_graph(nodes, kind, [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape_in)],
                                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, shape_out)], initializers)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="fleet-tests")
        model.ir_version = 8
        onnx.checker.check_model(model)
        onnx.save(model, out)
        """

    static let directory: URL = {
        let url = URL(fileURLWithPath: "/tmp/fleet-executor-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// The model's file.
    static func file(_ kind: String, _ argument: Int) throws -> URL {
        let url = directory.appendingPathComponent("\(kind)-\(argument)-\(UUID().uuidString.prefix(8)).onnx")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, kind, String(argument), url.path]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "building the \(kind) model failed: \(message)")
        return url
    }

    /// The model's bytes.
    static func bytes(_ kind: String, _ argument: Int) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: try file(kind, argument)))
    }

    /// What `affine VARIANT` computes, for checking outputs.
    static func affine(_ x: [Float], variant: Int) -> [Float] {
        (0..<3).map { column in
            var z = Float(variant)
            for row in 0..<4 { z += x[row] * (Float(row * 3 + column) - 5) / 10 }
            return 1 / (1 + exp(-z))
        }
    }
}
