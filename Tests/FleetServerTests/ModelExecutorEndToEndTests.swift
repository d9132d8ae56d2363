import Foundation
import FleetJSON
import Testing

/// Models on a device: the executor as a separate process against a real server, running models built with the
/// `onnx` Python package: deploy, `inference.run` against `fleet-executor infer` and `fleetctl infer`, bad inputs,
/// a crash and restart, remove; scheduled inference over the map of a real eBPF program (needs root and
/// `make -C bpf`).
@Suite(.enabled(if: geteuid() == 0, "loading eBPF programs needs root"))
struct ModelExecutorEndToEndTests {
    static var fleetctl: URL { BuiltProducts.directory.appendingPathComponent("fleetctl") }

    /// `x` float32[1, 1] -> `y` = 2x, for a one-entry counter map.
    static let doubler = """
        import sys
        import numpy as np
        import onnx
        from onnx import helper, numpy_helper, TensorProto
        two = numpy_helper.from_array(np.array([2], dtype=np.float32), "two")
        graph = helper.make_graph([helper.make_node("Mul", ["x", "two"], ["y"])], "doubler",
                                  [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1])],
                                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 1])], [two])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
        model.ir_version = 8
        onnx.save(model, sys.argv[1])
        """

    static func outputs(_ json: JSON?) -> JSON? { json?["outputs"] }

    @Test func deployedModelAnswersLikeLocalInferSurvivesACrashAndIsRemoved() async throws {
        let server = try TestServer()
        let checks = Observations()
        try await onOwnThread {
            let executor = try ExecutorProcess(server: server)
            defer { executor.cleanUp(pins: []) }
            try executor.start()
            let device = executor.deviceID
            let name = "mlp-\(UUID().uuidString.prefix(6).lowercased())"
            let file = try ModelFixtures.model("mlp", variant: 1)
            let uploaded = try server.uploadModel(name: name, version: "1.0.0", file: file)
            try #require(uploaded.status == 201, "upload: \(uploaded)")

            let deployed = try server.runToCompletion(on: device, type: "model.deploy", payload: ["model": .string("\(name)@1.0.0")],
                                                      log: executor.output)
            try #require(deployed["state"] == "succeeded", "model.deploy: \(deployed)\n\(executor.output)")
            checks.check(deployed["result"]?["name"] == .string(name) && deployed["result"]?["sha256"] == uploaded.json["sha256"],
                         "the result names the deployment and its file: \(deployed)")

            // inference.run, fleet-executor infer and fleetctl infer give the same outputs for the same inputs.
            let tensor: JSON = ["shape": [2, 4], "data": [0.5, -1, 2, 0.25, 3, 1, -2, 4]]
            let inputFile = ProgramFixtures.directory.appendingPathComponent("input-\(UUID().uuidString.prefix(6)).json")
            try Data(tensor.serialized().utf8).write(to: inputFile)
            let run = try server.runToCompletion(on: device, type: "inference.run",
                                                 payload: ["model": .string(name), "inputs": ["input": tensor]], log: executor.output)
            try #require(run["state"] == "succeeded", "inference.run: \(run)")
            let remote = try #require(Self.outputs(run["result"]))
            checks.check(remote["score"]?["shape"] == [2, 3] && remote["score"]?["dtype"] == "float32", "outputs: \(remote)")
            checks.check((run["result"]?["latency_ms"]?.doubleValue ?? -1) >= 0, "latency in the result: \(run)")

            let local = try ProgramFixtures.run(BuiltProducts.fleetExecutor.path, ["infer", file.path, "--input", "input=@\(inputFile.path)"])
            try #require(local.status == 0, "fleet-executor infer: \(local.errors)")
            checks.check(Self.outputs(try JSON.parse(local.output)) == remote, "fleet-executor infer prints \(local.output), the device \(remote)")

            let cli = try ProgramFixtures.run(Self.fleetctl.path, ["--server", server.base, "--token", server.adminToken, "-o", "json",
                                                                   "infer", device, name, "--input", "input=@\(inputFile.path)"])
            try #require(cli.status == 0, "fleetctl infer: \(cli.errors)")
            checks.check(Self.outputs(try JSON.parse(cli.output)) == remote, "fleetctl infer prints \(cli.output)")
            let table = try ProgramFixtures.run(Self.fleetctl.path, ["--server", server.base, "--token", server.adminToken,
                                                                     "infer", device, name, "--input", "input=@\(inputFile.path)"])
            checks.check(table.status == 0 && table.output.hasPrefix("OUTPUT   DTYPE     SHAPE    VALUES\nscore    float32   [2, 3]   ")
                         && table.output.contains("latency: "), "fleetctl infer table: \(table.output) \(table.errors)")

            // A shape the server knows to be wrong is refused before it reaches the device.
            let badTensor: JSON = ["shape": [1, 5], "data": [1, 2, 3, 4, 5]]
            let refused = try server.sendCommand(to: device, type: "inference.run", payload: ["model": .string(name), "inputs": ["input": badTensor]])
            checks.check(refused.status == 422 && refused.description.contains("does not fit"), "the server refuses the shape: \(refused)")
            // Deployed without the registry's inputs, the server cannot check: the executor fails the command.
            let open = "\(name)-open"
            let openDeploy = try server.runToCompletion(on: device, type: "model.deploy",
                                                        payload: ["model": .string("\(name)@1.0.0"), "name": .string(open), "inputs": nil])
            try #require(openDeploy["state"] == "succeeded", "model.deploy \(open): \(openDeploy)")
            let badRun = try server.runToCompletion(on: device, type: "inference.run", payload: ["model": .string(open), "inputs": ["input": badTensor]])
            checks.check(badRun["state"] == "failed" && badRun["error"] == .string("inference with model '\(open)' failed: input 'input' must have shape [batch, 4], got [1, 5]"),
                         "the executor names the shape: \(badRun)")
            let unknown = try server.runToCompletion(on: device, type: "inference.run", payload: ["model": .string(open), "inputs": ["features": tensor]])
            checks.check(unknown["state"] == "failed" && unknown["error"] == .string("inference with model '\(open)' failed: the model has no input named 'features'"),
                         "the executor names the unknown input: \(unknown)")
            let localBad = try ProgramFixtures.run(BuiltProducts.fleetExecutor.path, ["infer", file.path, "--input", "input=\(badTensor.serialized())"])
            checks.check(localBad.status == 1 && localBad.errors.contains("input 'input' must have shape [batch, 4], got [1, 5]"),
                         "fleet-executor infer fails the same way: \(localBad.status) \(localBad.errors)")

            // A crash: the restarted executor loads the recorded models again and answers the same.
            // The dead executor's long-poll would take the next command: it ends (30 s) before the new one starts.
            executor.kill9()
            try #require(try eventuallyBlocking(timeout: 40, every: 0.2) { try server.call("GET", "/metrics").showsHeldLongPolls(0) },
                         "the dead executor's long-poll never ended")
            try executor.start()
            try #require(try eventuallyBlocking(timeout: 20, every: 0.1) {
                try server.call("GET", "/metrics").showsHeldLongPolls(ExecutorProcess.heldLongPolls)
            },
                         "the restarted executor does not poll")
            checks.check(executor.output.contains("loaded model '\(name)' again"), "the executor says it loaded the model again")
            let again = try server.runToCompletion(on: device, type: "inference.run",
                                                   payload: ["model": .string(name), "inputs": ["input": tensor]], log: executor.output)
            checks.check(again["state"] == "succeeded" && Self.outputs(again["result"]) == remote, "after the restart: \(again)")

            // Remove: the model no longer answers and its record is gone.
            for deployment in [name, open] {
                let removed = try server.runToCompletion(on: device, type: "model.remove", payload: ["name": .string(deployment)])
                checks.check(removed["state"] == "succeeded", "model.remove \(deployment): \(removed)")
            }
            let gone = try server.runToCompletion(on: device, type: "inference.run", payload: ["model": .string(name), "inputs": ["input": tensor]])
            checks.check(gone["state"] == "failed" && gone["error"] == .string("no model named '\(name)' is deployed (none is)"), "after remove: \(gone)")
            checks.check(!FileManager.default.fileExists(atPath: executor.stateDirectory.appendingPathComponent("models/\(name).json").path),
                         "the deployment record is gone")
        }
        checks.record()
    }

    @Test func scheduledInferenceRunsOnTheProgramMapAndExportsItsOutputs() async throws {
        let server = try TestServer()
        let program = ExecutorEndToEndTests.uniqueName("sys")
        let checks = Observations()
        try await onOwnThread {
            let executor = try ExecutorProcess(server: server)
            defer { executor.cleanUp(pins: [program]) }
            try executor.start()
            let device = executor.deviceID
            let manifest = try shippedManifest("syscall_count")
            let uploaded = try server.uploadBPF("syscall_count", name: program, manifest: manifest.text)
            let loaded = try server.runToCompletion(on: device, type: "program.load",
                                                    payload: try ExecutorEndToEndTests.loadPayload(uploaded, name: program, manifest: manifest.json))
            try #require(loaded["state"] == "succeeded", "program.load: \(loaded)\n\(executor.output)")

            let file = ProgramFixtures.directory.appendingPathComponent("doubler-\(UUID().uuidString.prefix(6)).onnx")
            let built = try ProgramFixtures.run("/usr/bin/env", ["python3", "-c", Self.doubler, file.path])
            try #require(built.status == 0, "building the model: \(built.errors)")
            let model = "doubler-\(UUID().uuidString.prefix(6).lowercased())"
            let metadata: JSON = ["schedule": ["every_seconds": 1, "features_from": ["program": .string(program), "map": "syscall_total"]]]
            let answer = try server.uploadModel(name: model, version: "1", file: file, metadata: metadata.serialized())
            try #require(answer.status == 201, "upload: \(answer)")
            let deployed = try server.runToCompletion(on: device, type: "model.deploy", payload: ["model": .string("\(model)@1")])
            try #require(deployed["state"] == "succeeded", "model.deploy: \(deployed)\n\(executor.output)")
            checks.check(deployed["result"]?["schedule"]?["input"] == "x" && deployed["result"]?["schedule"]?["shape"] == [1, 1],
                         "the result shows the schedule: \(deployed)")

            // model_output is 2 × the syscall counter: positive, even, rising.
            let series: JSON = ["model": .string(model), "output": "y", "index": "0"]
            func output() throws -> Double { try server.latestValues(device: device, metric: "model_output")[series] ?? 0 }
            var first = 0.0
            try #require(try eventuallyBlocking(timeout: 20, every: 0.3) { first = try output(); return first > 0 },
                         "model_output never reached the server\n\(executor.output)")
            checks.check(first.truncatingRemainder(dividingBy: 2) == 0, "the output doubles an integer counter: \(first)")
            checks.check(try eventuallyBlocking(timeout: 15, every: 0.3) { try output() > first }, "model_output rises with the counter")
            let latency = try server.latestValues(device: device, metric: "inference_latency_ms")
            checks.check(latency.keys.contains(["model": .string(model), "trigger": "schedule"]), "scheduled latency is reported: \(latency.keys)")

            let removed = try server.runToCompletion(on: device, type: "model.remove", payload: ["name": .string(model)])
            checks.check(removed["state"] == "succeeded", "model.remove: \(removed)")
            let unloaded = try server.runToCompletion(on: device, type: "program.unload", payload: ["name": .string(program)])
            checks.check(unloaded["state"] == "succeeded", "program.unload: \(unloaded)")
        }
        checks.record()
    }
}
