import ArgumentParser
import FleetClient
import FleetCore
import FleetJSON
import Foundation

extension Fleetctl {
    struct Infer: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a model deployed on a device (an inference.run command) and print its outputs.",
            discussion: """
                Each --input is NAME=@FILE.json (a file holding one tensor, @- for stdin) or NAME=JSON; a tensor is \
                {"shape": [1, 4], "data": [0.1, 0.2, 0.3, 0.4], "dtype": "float32"} (dtype optional: float32, int8, \
                uint8, int32, int64). fleetctl waits for the outcome (--no-wait only queues the command) and prints \
                the outputs; -o json prints the command's result, {"outputs": {NAME: tensor}, "latency_ms", ...}. \
                Exit status: 0 when the inference succeeded; 1 when it failed or on any error; 2 when --timeout ran \
                out first (the command goes on).

                Examples:
                  fleetctl infer gw-7 anomaly --input x=@features.json
                  fleetctl -o json infer 5f0c… anomaly --input 'x={"shape": [1, 4], "data": [1, 2, 3, 4]}'
                """
        )

        @OptionGroup var globals: GlobalOptions

        @Argument(help: ArgumentHelp("A device's name or ID.", valueName: "device"), transform: ArgumentTransforms.device)
        var device: DeviceReference

        @Argument(help: ArgumentHelp("The name the model is deployed under on the device.", valueName: "model"))
        var model: String

        @Option(name: .customLong("input"),
                help: ArgumentHelp("NAME=@FILE.json or NAME=JSON: the tensor for input NAME; repeatable.", valueName: "name=tensor"))
        var inputs: [String] = []

        @Flag(inversion: .prefixedNo, help: "Wait for the outcome and print the outputs.")
        var wait = true

        @Option(help: ArgumentHelp("How long to wait, e.g. 30s or 5m (default: 60s).", valueName: "duration"),
                transform: ArgumentTransforms.duration)
        var timeout: Duration?

        @Option(help: ArgumentHelp("Time to live before the command expires undelivered, e.g. 10m (server default: 1h).", valueName: "duration"),
                transform: ArgumentTransforms.seconds)
        var ttl: Int?

        func validate() throws {
            if inputs.isEmpty { throw ValidationError("give at least one --input NAME=@FILE.json") }
            _ = try arguments()
            if timeout != nil && !wait { throw ValidationError("--timeout only applies when waiting") }
        }

        private func arguments() throws -> [TensorArgument] {
            do { return try inputs.map { try TensorArgument(parsing: $0) } } catch { throw ValidationError("\(error)") }
        }

        func run() throws {
            let tensors: [String: TensorPayload]
            do {
                tensors = try TensorArgument.tensors(try arguments()) { path in
                    let data = path == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: path)
                    guard let data else { throw TensorArgument.Failure("cannot read \(path)") }
                    return [UInt8](data)
                }
            } catch {
                Console.error("\(error)")
                throw ExitCode.failure
            }
            let request = InferenceRequest(model: model, inputs: tensors)
            let client = try globals.client()
            let submission = try client.createCommand(NewCommand(type: "inference.run", payload: request.json, ttlSeconds: ttl),
                                                      for: try device.resolve(using: client))
            guard wait else {
                globals.printer.show(submission.command) { DetailView.command(submission.command, now: $0).render() }
                return
            }
            let limit = timeout ?? .seconds(60)
            let waiting = CommandWaiting(client: client, showProgress: globals.output == .table)
            let outcome = try waiting.wait(for: submission.command, timeout: limit)
            try CommandWaiting.requireSuccess(outcome, timeout: limit)
            let result = outcome.command.result ?? [:]
            globals.printer.show(result) { _ in
                var text = Table.inferenceOutputs(result).render()
                if let latency = result["latency_ms"]?.doubleValue { text += "latency: \(latency.formatted(significant: 4)) ms\n" }
                return text
            }
        }
    }
}
