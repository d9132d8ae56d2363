import Foundation
import Testing
@testable import FleetInference

/// Corrupted models and inputs must end in a typed error, never a trap.
@Suite struct RobustnessTests {
    static let families = ["conv", "gemm", "reshape", "slice", "pad", "gather", "maxpool", "averagepool", "qlinear", "expand",
                           "tile", "range", "split", "concat", "squeeze", "transpose", "reduce_sum", "softmax", "clip", "cast",
                           "matmulinteger", "convinteger", "dequantize", "quantize", "batchnorm", "flatten", "constantofshape"]

    struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(max(bound, 1)))
        }
    }

    @Test func corruptedModelsFailWithTypedErrors() throws {
        let root = "\(ConformanceTests.root)/node"
        let names = try FileManager.default.contentsOfDirectory(atPath: root).sorted()
            .filter { name in Self.families.contains { name.contains($0) } }
        #expect(names.count > 50)
        var generator = Generator(state: 7)
        var loaded = 0, ran = 0, refused = 0
        for name in names {
            guard let original = FileManager.default.contents(atPath: "\(root)/\(name)/model.onnx").map({ [UInt8]($0) }),
                  let inputs = try? ConformanceTests.load("\(root)/\(name)/test_data_set_0", prefix: "input_") else { continue }
            for _ in 0..<12 {
                var bytes = original
                switch generator.next(4) {
                case 0: bytes = Array(bytes.prefix(generator.next(bytes.count)))
                case 1:
                    for _ in 0..<(1 + generator.next(4)) { bytes[generator.next(bytes.count)] = UInt8(generator.next(256)) }
                case 2:
                    // Small integers are dimensions, attribute values and indices: make them extreme.
                    let at = generator.next(bytes.count)
                    bytes[at] = [0x00, 0x7F, 0xFF, 0x80, 0x01][generator.next(5)]
                default:
                    bytes.insert(contentsOf: (0..<generator.next(6)).map { _ in UInt8(generator.next(256)) }, at: generator.next(bytes.count))
                }
                let model: Model
                do { model = try Model(bytes: bytes) } catch {
                    #expect(!error.description.isEmpty)
                    refused += 1
                    continue
                }
                loaded += 1
                guard let session = try? InferenceSession(model: model) else { continue }
                var feeds = [String: Tensor]()
                for (index, info) in model.description.inputs.enumerated() where index < inputs.count {
                    feeds[info.name] = inputs[index].tensor
                }
                do { _ = try session.run(feeds); ran += 1 } catch { #expect(!error.description.isEmpty) }
            }
        }
        #expect(refused > 0 && loaded > 0 && ran > 0, "refused \(refused), loaded \(loaded), ran \(ran)")
    }

    @Test func hostileShapeValuesAreRefused() throws {
        let model = TestModels.model(
            nodes: [TestModels.node("Reshape", ["x", "shape"], ["r"]), TestModels.node("Expand", ["r", "big"], ["y"])],
            inputs: [TestModels.value("x", .float32, [4]), TestModels.value("shape", .int64, [2]), TestModels.value("big", .int64, [3])],
            outputs: [TestModels.value("y", .float32, [nil, nil, nil])])
        let session = try InferenceSession(model: try Model(bytes: TestModels.bytes(model)))
        let x = try Tensor(shape: [4], values: [Float](repeating: 1, count: 4))
        let fine = try session.run(["x": x, "shape": try Tensor(shape: [2], values: [Int64](arrayLiteral: 2, 2)),
                                    "big": try Tensor(shape: [3], values: [Int64](arrayLiteral: 3, 2, 2))])
        #expect(fine[0].tensor.shape == [3, 2, 2])
        for big in [[Int64.max, 2, 2], [1 << 40, 1 << 40, 2], [-5, 2, 2]] {
            #expect(throws: InferenceError.self) {
                try session.run(["x": x, "shape": try Tensor(shape: [2], values: [Int64](arrayLiteral: 2, 2)),
                                 "big": try Tensor(shape: [3], values: big)])
            }
        }
        for shape in [[Int64.max, 1], [Int64.min, -1], [0, -1], [1 << 33, 1 << 33]] {
            #expect(throws: InferenceError.self) {
                try session.run(["x": x, "shape": try Tensor(shape: [2], values: shape),
                                 "big": try Tensor(shape: [3], values: [Int64](arrayLiteral: 1, 2, 2))])
            }
        }
    }
}
