import Foundation
import Testing
@testable import FleetInference

/// Runs the ONNX backend test cases of Debian's libonnx-testdata whose operators this runtime
/// supports, with the ONNX backend tolerances (rtol 1e-3, atol 1e-7; integers and bools exact).
@Suite struct ConformanceTests {
    static let root = "/usr/share/libonnx-testdata/data"
    static let suites = ["node", "pytorch-operator", "pytorch-converted", "simple"]

    /// The operators the runtime promises; each must have node tests and pass all of them.
    static let required = [
        "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Softmax", "LogSoftmax",
        "Exp", "Sqrt", "Neg", "Abs", "Clip", "Conv", "MaxPool", "AveragePool", "GlobalAveragePool", "BatchNormalization",
        "Flatten", "Reshape", "Transpose", "Concat", "Squeeze", "Unsqueeze", "Slice", "Gather", "Shape", "Cast",
        "Constant", "Identity", "Dropout", "ReduceMean", "ReduceSum", "Pad", "QuantizeLinear", "DequantizeLinear",
        "QLinearMatMul", "QLinearConv", "MatMulInteger", "ConvInteger",
    ]

    /// Dropout in training mode with a non-zero ratio: the expected masks come from numpy's random
    /// generator, which no other runtime reproduces. These are the only required-operator node tests
    /// allowed to be skipped.
    static let randomTrainingCases: Set<String> = [
        "test_training_dropout", "test_training_dropout_default", "test_training_dropout_default_mask", "test_training_dropout_mask",
    ]

    enum Outcome {
        case passed
        case failed(String)
        case skipped(String)
    }

    struct Case {
        let suite: String
        let name: String
        let operators: Set<String>
        let outcome: Outcome
    }

    @Test func libonnxTestdataPasses() throws {
        let files = FileManager.default
        var isDirectory: ObjCBool = false
        try #require(files.fileExists(atPath: Self.root, isDirectory: &isDirectory) && isDirectory.boolValue,
                     "\(Self.root) is missing: install libonnx-testdata")
        var cases = [Case]()
        for suite in Self.suites {
            let directory = "\(Self.root)/\(suite)"
            for name in try files.contentsOfDirectory(atPath: directory).sorted() {
                cases.append(Self.run(suite: suite, directory: "\(directory)/\(name)", name: name))
            }
        }

        var passed = 0
        var failures = [String]()
        var skips = [String: [String]]()
        for testCase in cases {
            switch testCase.outcome {
            case .passed: passed += 1
            case .failed(let why): failures.append("\(testCase.suite)/\(testCase.name): \(why)")
            case .skipped(let why): skips[why, default: []].append(testCase.name)
            }
        }
        let skipped = skips.values.reduce(0) { $0 + $1.count }
        print("ONNX conformance: \(passed) passed, \(failures.count) failed, \(skipped) skipped")
        for (reason, names) in skips.sorted(by: { ($0.value.count, $1.key) > ($1.value.count, $0.key) }) {
            print("  skipped \(names.count): \(reason)\(names.count <= 4 ? " (\(names.joined(separator: ", ")))" : "")")
        }
        for failure in failures { print("  FAILED \(failure)") }
        #expect(failures.isEmpty, "\(failures.count) conformance cases failed:\n\(failures.joined(separator: "\n"))")
        #expect(passed > 0)

        for op in Self.required {
            let nodeCases = cases.filter { $0.suite == "node" && $0.operators.contains(op) }
            #expect(!nodeCases.isEmpty, "no node tests use \(op)")
            for testCase in nodeCases {
                if case .passed = testCase.outcome { continue }
                if Self.randomTrainingCases.contains(testCase.name) { continue }
                Issue.record("\(op): node test \(testCase.name) did not pass: \(testCase.outcome)")
            }
        }
    }

    static func run(suite: String, directory: String, name: String) -> Case {
        guard let bytes = FileManager.default.contents(atPath: "\(directory)/model.onnx") else {
            return Case(suite: suite, name: name, operators: [], outcome: .failed("model.onnx is unreadable"))
        }
        let model: Model
        do {
            model = try Model(bytes: [UInt8](bytes))
        } catch {
            switch error.reason {
            case .unsupportedOperators(let operators):
                return Case(suite: suite, name: name, operators: Set(operators),
                            outcome: .skipped("unsupported operators: \(operators.joined(separator: ", "))"))
            case .unsupportedType(let detail):
                return Case(suite: suite, name: name, operators: [], outcome: .skipped("unsupported type or attribute: \(generalised(detail))"))
            case .unsupportedOpset:
                return Case(suite: suite, name: name, operators: [], outcome: .skipped(error.description))
            default:
                return Case(suite: suite, name: name, operators: [], outcome: .failed(error.description))
            }
        }
        let operators = Set(model.description.operators)
        func finish(_ outcome: Outcome) -> Case { Case(suite: suite, name: name, operators: operators, outcome: outcome) }

        let session: InferenceSession
        do { session = try InferenceSession(model: model) } catch {
            if case .unsupportedType(let detail) = error.reason { return finish(.skipped("unsupported type or attribute: \(generalised(detail))")) }
            return finish(.failed(error.description))
        }
        let dataSets = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasPrefix("test_data_set_") }.sorted()
        guard !dataSets.isEmpty else { return finish(.failed("no test data sets")) }
        for dataSet in dataSets {
            let path = "\(directory)/\(dataSet)"
            let inputs: [(name: String, tensor: Tensor)], expected: [(name: String, tensor: Tensor)]
            do {
                inputs = try load(path, prefix: "input_")
                expected = try load(path, prefix: "output_")
            } catch {
                return finish(.skipped("unsupported type in test data: \(generalised(error.description))"))
            }
            var feeds = [String: Tensor]()
            let declared = model.description.inputs
            for (position, input) in inputs.enumerated() {
                let name = declared.contains(where: { $0.name == input.name }) ? input.name
                    : (position < declared.count ? declared[position].name : input.name)
                feeds[name] = input.tensor
            }
            let outputs: [(name: String, tensor: Tensor)]
            do { outputs = try session.run(feeds) } catch {
                if case .unsupported(_, let op, let detail) = error.reason {
                    return finish(.skipped("unsupported type or attribute: \(op): \(generalised(detail))"))
                }
                return finish(.failed("\(dataSet): \(error)"))
            }
            guard outputs.count >= expected.count else { return finish(.failed("\(outputs.count) outputs, \(expected.count) expected")) }
            for (index, want) in expected.enumerated() {
                let got = outputs[index].tensor
                if let mismatch = compare(got, want.tensor) {
                    return finish(.failed("\(dataSet) output \(index) '\(outputs[index].name)': \(mismatch)"))
                }
            }
        }
        return finish(.passed)
    }

    /// Test data files in numeric order (input_0.pb, input_1.pb, ...).
    static func load(_ directory: String, prefix: String) throws(ModelError) -> [(name: String, tensor: Tensor)] {
        var result = [(name: String, tensor: Tensor)]()
        var index = 0
        while let bytes = FileManager.default.contents(atPath: "\(directory)/\(prefix)\(index).pb") {
            result.append(try Tensor.decode(serializedProto: [UInt8](bytes)))
            index += 1
        }
        return result
    }

    /// The ONNX backend comparison: same type and shape, floats within rtol 1e-3 and atol 1e-7, NaN equal to NaN.
    static func compare(_ got: Tensor, _ want: Tensor) -> String? {
        guard got.elementType == want.elementType else { return "type \(got.elementType), expected \(want.elementType)" }
        guard got.shape == want.shape else { return "shape \(got.shape), expected \(want.shape)" }
        let a = got.doubles, b = want.doubles
        let exact = !got.elementType.isFloatingPoint
        for i in a.indices {
            if a[i].isNaN && b[i].isNaN { continue }
            if exact ? a[i] != b[i] : !(abs(a[i] - b[i]) <= 1e-7 + 1e-3 * abs(b[i])) {
                return "element \(i) is \(a[i]), expected \(b[i])"
            }
        }
        return nil
    }

    /// A skip reason without node names, so equal reasons group.
    static func generalised(_ detail: String) -> String {
        guard let range = detail.range(of: "': ") else { return detail }
        let op = detail.prefix(while: { $0 != " " })
        return "\(op): \(detail[range.upperBound...])"
    }
}
