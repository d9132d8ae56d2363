import Foundation
import SwiftProtobuf
import Testing
@testable import FleetInference

/// Runs the models of `bench/inference/models.py` (an MLP, a small CNN, an int8-quantised MLP and a
/// model of broadcasting and reshapes, random weights with a fixed seed) and requires FleetInference
/// to reproduce onnxruntime's outputs: float within 1e-4 relative, or within an absolute floor near
/// zero (1e-5, one quantization step for a dequantized output); int8/uint8 within one step.
///
/// The models and references are generated here by `python3 bench/inference/models.py`, which needs
/// numpy, onnx and onnxruntime; without them the test fails and says what is missing.
@Suite struct EquivalenceTests {
    struct Tolerance: Decodable {
        var relative: Double?
        var absolute: Double?
        var steps: Double?
    }

    struct OutputEntry: Decodable {
        var name: String
        var dtype: String
        var tolerance: Tolerance
    }

    struct ModelEntry: Decodable {
        var name: String
        var inputs: [String]
        var outputs: [OutputEntry]
    }

    /// A generated model and its data files, read into memory.
    struct GeneratedModel {
        var entry: ModelEntry
        var model: [UInt8]
        var inputs: [[UInt8]]
        var outputs: [[UInt8]]
    }

    /// The generated models, made once for all tests of the suite; the files are removed once read.
    static let generated: Result<[GeneratedModel], GenerationFailure> = generate()

    struct GenerationFailure: Error, CustomStringConvertible {
        var description: String
    }

    static let modelNames = ["mlp", "cnn", "mlp_int8", "broadcast"]

    static func generate() -> Result<[GeneratedModel], GenerationFailure> {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let script = root.appendingPathComponent("bench/inference/models.py")
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("fleet-equivalence-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, "--out", directory.path]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return .failure(GenerationFailure(description: "cannot start python3 (install Python 3 with numpy, onnx, onnxruntime): \(error)"))
        }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            return .failure(GenerationFailure(
                description: "python3 \(script.path) failed with status \(process.terminationStatus): \(message)"))
        }
        do {
            func bytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: directory.appendingPathComponent(path))) }
            let manifest = try JSONDecoder().decode([ModelEntry].self, from: Data(bytes("manifest.json")))
            return .success(try manifest.map { entry in
                GeneratedModel(
                    entry: entry, model: try bytes("\(entry.name).onnx"),
                    inputs: try entry.inputs.indices.map { try bytes("\(entry.name)/input_\($0).pb") },
                    outputs: try entry.outputs.indices.map { try bytes("\(entry.name)/output_\($0).pb") })
            })
        } catch {
            return .failure(GenerationFailure(description: "unreadable output of models.py: \(error)"))
        }
    }

    /// A serialized `TensorProto` and the name stored in it.
    static func tensor(_ bytes: [UInt8]) throws -> (name: String, tensor: Tensor) {
        let proto = try Onnx_TensorProto(serializedBytes: bytes)
        return (proto.name, try Tensor(proto: proto, context: "tensor \(proto.name)"))
    }

    @Test(arguments: modelNames)
    func outputsMatchOnnxruntime(_ name: String) throws {
        let generated = try #require(try Self.generated.get().first { $0.entry.name == name }, "models.py made no model \(name)")
        let entry = generated.entry
        let session = try InferenceSession(model: try Model(bytes: generated.model))
        var inputs: [String: Tensor] = [:]
        for bytes in generated.inputs {
            let input = try Self.tensor(bytes)
            inputs[input.name] = input.tensor
        }
        // Twice: the second run reuses the planned memory and must give the same answer.
        let first = try session.run(inputs)
        let outputs = try session.run(inputs)
        #expect(first.map(\.tensor) == outputs.map(\.tensor), "a second run changed the outputs")
        #expect(outputs.map(\.name) == entry.outputs.map(\.name))

        for (index, expected) in entry.outputs.enumerated() {
            let reference = try Self.tensor(generated.outputs[index]).tensor
            let actual = try #require(outputs.first { $0.name == expected.name }?.tensor, "no output \(expected.name)")
            #expect(actual.elementType == reference.elementType, "\(name).\(expected.name) element type")
            #expect(actual.shape == reference.shape, "\(name).\(expected.name) shape")
            guard actual.shape == reference.shape else { continue }
            var worst = (index: -1, excess: 0.0, actual: 0.0, expected: 0.0)
            for (i, (a, e)) in zip(actual.doubles, reference.doubles).enumerated() {
                let allowed: Double
                if let steps = expected.tolerance.steps {
                    allowed = steps
                } else {
                    allowed = max((expected.tolerance.relative ?? 0) * abs(e), expected.tolerance.absolute ?? 0)
                }
                let excess = a.isNaN || e.isNaN ? (a.isNaN && e.isNaN ? 0 : .infinity) : abs(a - e) - allowed
                if excess > worst.excess { worst = (i, excess, a, e) }
            }
            #expect(worst.index < 0,
                    "\(name).\(expected.name)[\(worst.index)] = \(worst.actual), onnxruntime \(worst.expected)")
        }
    }

    @Test func everyModelIsGenerated() throws {
        #expect(try Self.generated.get().map(\.entry.name).sorted() == Self.modelNames.sorted())
    }
}
