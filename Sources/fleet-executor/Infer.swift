import ArgumentParser
import Glibc
import FleetCore
import FleetExecutor
import FleetJSON

extension FleetExecutorCommand {
    struct Infer: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run an ONNX model locally on tensors given as JSON and print its outputs as JSON.",
            discussion: """
                A tensor is {"shape": [1, 4], "data": [0.1, 0.2, 0.3, 0.4], "dtype": "float32"} (dtype optional: \
                float32, int8, uint8, int32, int64). Prints {"outputs": {NAME: tensor}, "latency_ms": ...}; with \
                --repeat N, after one warm-up run, latency_ms is {median, p99, min, max, runs} over N runs and \
                peak_rss_bytes is added. Errors go to standard error with exit status 1.

                Examples:
                  fleet-executor infer anomaly.onnx --input x=@features.json
                  fleet-executor infer anomaly.onnx --input 'x={"shape": [1, 4], "data": [1, 2, 3, 4]}' --repeat 1000
                """)

        @Argument(help: ArgumentHelp("The ONNX model file.", valueName: "model.onnx"))
        var model: String

        @Option(name: .customLong("input"),
                help: ArgumentHelp("NAME=@FILE.json or NAME=JSON: the tensor for input NAME; repeatable.", valueName: "name=tensor"))
        var inputs: [String] = []

        @Option(name: .customLong("repeat"), help: ArgumentHelp("Time N runs after a warm-up run.", valueName: "n"))
        var repeatCount: Int?

        func validate() throws {
            if let repeatCount, !(1...10_000_000).contains(repeatCount) {
                throw ValidationError("--repeat must be between 1 and 10000000")
            }
        }

        func run() throws {
            do {
                let arguments = try inputs.map { try TensorArgument(parsing: $0) }
                let document = try LocalInference.run(modelPath: model, inputs: arguments, repeatCount: repeatCount)
                print(document.serialized())
            } catch {
                _ = "error: \(error)\n".withCString { Glibc.write(2, $0, strlen($0)) }
                throw ExitCode.failure
            }
        }
    }
}
