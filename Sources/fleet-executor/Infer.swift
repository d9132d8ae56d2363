import Glibc
import FleetCore
import FleetExecutor
import FleetJSON

enum Infer {
    static let spec = CommandSpec(
        name: "infer",
        abstract: "Run an ONNX model locally on tensors given as JSON and print its outputs as JSON.",
        discussion: """
            A tensor is {"shape": [1, 4], "data": [0.1, 0.2, 0.3, 0.4], "dtype": "float32"} (dtype optional: \
            float32, int8, uint8, int32, int64). Prints {"outputs": {NAME: tensor}, "latency_ms": ...}; with \
            --repeat N, after one warm-up run, latency_ms is {median, p99, min, max, runs} over N runs and \
            peak_rss_bytes is added. Errors go to standard error with exit status 1.

            Examples:
              fleet-executor infer anomaly.onnx --input x=@features.json
              fleet-executor infer anomaly.onnx --input 'x={"shape": [1, 4], "data": [1, 2, 3, 4]}' --repeat 1000
            """,
        options: [
            .init(name: "input", valueName: "name=tensor", help: "NAME=@FILE.json or NAME=JSON: the tensor for input NAME; repeatable.",
                  repeatable: true),
            .init(name: "repeat", valueName: "n", help: "Time N runs after a warm-up run."),
        ],
        arguments: [.init(valueName: "model.onnx", help: "The ONNX model file.")],
        optionalOptions: ["repeat"])

    static func run(_ parsed: ParsedCommand) throws -> Int32 {
        let repeatCount: Int? = try parsed.number("repeat", in: 1...10_000_000)
        let arguments = try parsed.all("input").map { try TensorArgument(parsing: $0) }
        let document = try LocalInference.run(modelPath: parsed.positionals[0], inputs: arguments, repeatCount: repeatCount)
        print(document.serialized())
        return 0
    }
}
