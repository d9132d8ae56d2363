import Foundation
import FleetCore
import FleetExecutor
import FleetJSON
import Synchronization
import Testing

/// `ModelManager` with real models (built with the `onnx` Python package) and FleetInference, a state directory on
/// disk, and artifacts and map readings served from memory.
@Suite struct ModelManagerTests {
    /// Artifacts by digest and the map reading scheduled inference sees.
    final class Fixture: Sendable {
        let state = StateDirectory("/tmp/fleet-model-manager-tests-\(getpid())/\(UUID().uuidString.prefix(8))")
        let artifacts = Mutex<[String: [UInt8]]>([:])
        let reading = Mutex<[UInt64: [UInt64]]>([:])

        func manager() throws -> ModelManager {
            try ModelManager(state: state, trust: .digestOnly, readMap: { [self] program, map in
                guard program == "counters", map == "per_cpu" else { throw ExecutorError("no program named '\(program)' is loaded") }
                return reading.withLock { $0 }
            }, fetch: { [self] digest in
                guard let bytes = artifacts.withLock({ $0[digest.hex] }) else { throw ExecutorError("404") }
                return bytes
            })
        }

        /// Serves `bytes` under `digest` (their own SHA-256 unless given) and returns the deploy payload.
        func payload(_ name: String, _ bytes: [UInt8], version: String = "1.0.0", digest: String? = nil,
                     metadata: JSON? = nil) throws -> ModelDeployRequest {
            let sha256 = try digest ?? Self.sha256(bytes)
            artifacts.withLock { $0[sha256] = bytes }
            var payload: [String: JSON] = ["name": .string(name), "version": .string(version), "sha256": .string(sha256),
                                           "model": .string("\(name)@\(version)"), "size": .int(Int64(bytes.count)),
                                           "url": .string("/v1/executor/artifacts/\(sha256)")]
            if let metadata { payload["metadata"] = metadata }
            return try ModelDeployRequest(payload: .object(payload))
        }

        static func sha256(_ bytes: [UInt8]) throws -> String {
            let file = ONNXFixtures.directory.appendingPathComponent("digest-\(UUID().uuidString)")
            try Data(bytes).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
            process.arguments = [file.path]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return String(text.prefix(64))
        }

        func cleanUp() { try? FileManager.default.removeItem(atPath: state.path) }
    }

    static func request(_ model: String, _ inputs: [String: JSON]) throws -> InferenceRequest {
        try InferenceRequest(json: ["model": .string(model), "inputs": .object(inputs)], path: "")
    }

    static let x: JSON = ["shape": [1, 4], "data": [0.5, -1, 2, 0.25]]
    static let xValues: [Float] = [0.5, -1, 2, 0.25]

    static func outputs(_ result: JSON, _ name: String = "y") -> [Double] {
        result["outputs"]?[name]?["data"]?.arrayValue?.compactMap(\.doubleValue) ?? []
    }

    static func close(_ actual: [Double], _ expected: [Float]) -> Bool {
        actual.count == expected.count && zip(actual, expected).allSatisfy { abs($0 - Double($1)) <= 1e-6 }
    }

    @Test func deployedModelAnswersInferenceAndIsRecorded() throws {
        let fixture = Fixture()
        defer { fixture.cleanUp() }
        let manager = try fixture.manager()
        let deployed = try manager.deploy(try fixture.payload("scorer", try ONNXFixtures.bytes("affine", 0)))
        #expect(deployed["name"] == "scorer")
        #expect(deployed["inputs"] == ["x: float32[1, 4]"] && deployed["outputs"] == ["y: float32[1, 3]"], "\(deployed)")
        #expect(deployed["load_ms"]?.doubleValue != nil && deployed["replaced"] == nil)

        let result = try manager.run(try Self.request("scorer", ["x": Self.x]))
        #expect(Self.close(Self.outputs(result), ONNXFixtures.affine(Self.xValues, variant: 0)), "\(result)")
        #expect(result["outputs"]?["y"]?["shape"] == [1, 3] && result["outputs"]?["y"]?["dtype"] == "float32")
        #expect((result["latency_ms"]?.doubleValue ?? -1) >= 0 && result["version"] == "1.0.0" && result["model"] == "scorer")
        for file in ["models/scorer.json", "models/scorer.onnx"] {
            #expect(FileManager.default.fileExists(atPath: fixture.state.file(file)), "\(file) is kept")
        }
        let points = manager.sample(now: Date())
        #expect(points.contains { $0.metric == "executor_models_deployed" && $0.value == 1 })
        #expect(points.contains { $0.metric == "inference_latency_ms" && $0.labels == ["model": "scorer", "trigger": "command"] })
    }

    @Test func redeployKeepsTheOldModelServingUntilTheNewOneLoads() throws {
        let fixture = Fixture()
        defer { fixture.cleanUp() }
        let manager = try fixture.manager()
        let first = try fixture.payload("scorer", try ONNXFixtures.bytes("affine", 0))
        _ = try manager.deploy(first)

        // Bytes that match their digest but are no model: the deploy fails, the old model keeps answering.
        let broken = try fixture.payload("scorer", Array("not a model".utf8), version: "2.0.0")
        #expect {
            try manager.deploy(broken)
        } throws: { "\($0)".hasPrefix("cannot load model 'scorer': not a valid ONNX model") }
        let during = try manager.run(try Self.request("scorer", ["x": Self.x]))
        #expect(Self.close(Self.outputs(during), ONNXFixtures.affine(Self.xValues, variant: 0)) && during["version"] == "1.0.0")

        let replaced = try manager.deploy(try fixture.payload("scorer", try ONNXFixtures.bytes("affine", 1), version: "3.0.0"))
        #expect(replaced["replaced"] == ["sha256": first.sha256.json, "version": "1.0.0"], "\(replaced)")
        let after = try manager.run(try Self.request("scorer", ["x": Self.x]))
        #expect(Self.close(Self.outputs(after), ONNXFixtures.affine(Self.xValues, variant: 1)) && after["version"] == "3.0.0")
        #expect(manager.deployedNames == ["scorer"])
    }

    @Test func restartedManagerLoadsRecordedModelsAndRemoveForgetsThem() throws {
        let fixture = Fixture()
        defer { fixture.cleanUp() }
        _ = try fixture.manager().deploy(try fixture.payload("scorer", try ONNXFixtures.bytes("affine", 0)))
        fixture.artifacts.withLock { $0.removeAll() }  // the server is not needed to come back

        let restarted = try fixture.manager()
        #expect(restarted.restoreRecorded() == ["scorer"])
        let result = try restarted.run(try Self.request("scorer", ["x": Self.x]))
        #expect(Self.close(Self.outputs(result), ONNXFixtures.affine(Self.xValues, variant: 0)))

        #expect(try restarted.remove(try ModelRemoveRequest(payload: ["name": "scorer"])) == ["name": "scorer", "removed": true,
                                                                                               "sha256": result["sha256"]!])
        #expect { try restarted.run(try Self.request("scorer", ["x": Self.x])) } throws: {
            "\($0)" == "no model named 'scorer' is deployed (none is)"
        }
        #expect { try restarted.remove(try ModelRemoveRequest(payload: ["name": "scorer"])) } throws: {
            "\($0)".contains("no model named 'scorer' is deployed")
        }
        #expect(try fixture.manager().restoreRecorded().isEmpty, "the record is gone")
    }

    @Test func recordWithAlteredFileIsNotLoadedAgain() throws {
        let fixture = Fixture()
        defer { fixture.cleanUp() }
        _ = try fixture.manager().deploy(try fixture.payload("scorer", try ONNXFixtures.bytes("affine", 0)))
        try Data(try ONNXFixtures.bytes("affine", 1)).write(to: URL(fileURLWithPath: fixture.state.file("models/scorer.onnx")))
        #expect(try fixture.manager().restoreRecorded().isEmpty)
    }

    @Test func badRequestsFailWithTheReason() throws {
        let fixture = Fixture()
        defer { fixture.cleanUp() }
        let manager = try fixture.manager()
        _ = try manager.deploy(try fixture.payload("scorer", try ONNXFixtures.bytes("affine", 0)))
        let cases: [(inputs: [String: JSON], model: String, message: String)] = [
            (["x": Self.x], "other", "no model named 'other' is deployed (deployed: scorer)"),
            (["z": Self.x], "scorer", "inference with model 'scorer' failed: the model has no input named 'z'"),
            (["x": ["shape": [1, 5], "data": [1, 2, 3, 4, 5]]], "scorer",
             "inference with model 'scorer' failed: input 'x' must have shape [1, 4], got [1, 5]"),
            (["x": ["shape": [4], "data": [1, 2, 3, 4]]], "scorer",
             "inference with model 'scorer' failed: input 'x' must have shape [1, 4], got [4]"),
            (["x": ["shape": [1, 4], "data": [1, 2, 3, 4], "dtype": "int32"]], "scorer",
             "inference with model 'scorer' failed: input 'x' must be float32, got int32"),
        ]
        for item in cases {
            #expect { try manager.run(try Self.request(item.model, item.inputs)) } throws: { "\($0)" == item.message }
        }
        let wrongDigest = try fixture.payload("other", try ONNXFixtures.bytes("affine", 0), digest: String(repeating: "ab", count: 32))
        #expect { try manager.deploy(wrongDigest) } throws: { "\($0)".contains("the downloaded model's SHA-256 is") }
        #expect(manager.deployedNames == ["scorer"])
    }

    @Test func commandHandlerRejectsBadPayloadsAndFailsWithTheReason() throws {
        let fixture = Fixture()
        defer { fixture.cleanUp() }
        let manager = try fixture.manager()
        func handle(_ type: String, _ payload: JSON) -> CommandOutcome {
            guard let handler = manager.commandHandlers[type] else { return .rejected("no handler for \(type)") }
            return handler.handle(IncomingCommand(id: .random(), type: type, payload: payload))
        }
        #expect(Set(manager.commandHandlers.keys) == ["model.deploy", "model.remove", "inference.run"])
        #expect(handle("model.deploy", ["name": "a"]) == .rejected("invalid model.deploy payload: sha256: required field is missing"))
        #expect(handle("model.remove", ["name": "a", "force": true]) == .rejected("invalid model.remove payload: unknown field 'force'"))
        #expect(handle("inference.run", ["model": "a", "inputs": ["x": ["shape": [2], "data": [1]]]])
                    == .rejected("invalid inference.run payload: inputs.x.data: has 1 elements; shape [2] needs 2"))
        #expect(handle("inference.run", ["model": "a", "inputs": ["x": Self.x]]) == .failed("no model named 'a' is deployed (none is)"))
        let payload = try fixture.payload("a", try ONNXFixtures.bytes("affine", 0)).json
        guard case .succeeded(let result?) = handle("model.deploy", payload) else { Issue.record("deploy failed"); return }
        #expect(result["name"] == "a")
    }

    @Test func scheduleRunsTheModelOnTheMapAndExportsItsOutputs() throws {
        let fixture = Fixture()
        defer { fixture.cleanUp() }
        let manager = try fixture.manager()
        let metadata: JSON = ["owner": "ops", "schedule": ["every_seconds": 10, "features_from": ["program": "counters", "map": "per_cpu"]]]
        let deployed = try manager.deploy(try fixture.payload("doubler", try ONNXFixtures.bytes("double", 3), metadata: metadata))
        #expect(deployed["schedule"] == ["every_seconds": 10, "program": "counters", "map": "per_cpu", "input": "x", "shape": [1, 3]],
                "\(deployed)")

        // Keys in ascending order, as float32: [1, 3, 5] -> [2, 6, 10].
        fixture.reading.withLock { $0 = [2: [5], 0: [1], 1: [3]] }
        let start = ContinuousClock.now
        let next = manager.runDueSchedules(now: start)
        #expect(next == start.advanced(by: .seconds(10)))
        var points = manager.sample(now: Date())
        let outputs = points.filter { $0.metric == "model_output" }.sorted { $0.labels["index"]! < $1.labels["index"]! }
        #expect(outputs.map(\.value) == [2, 6, 10], "\(points)")
        #expect(outputs.allSatisfy { $0.labels["model"] == "doubler" && $0.labels["output"] == "y" })
        #expect(points.contains { $0.metric == "inference_latency_ms" && $0.labels == ["model": "doubler", "trigger": "schedule"] })

        // Not due again before ten seconds; then the map no longer fits the input: counted, nothing exported.
        manager.runDueSchedules(now: start.advanced(by: .seconds(5)))
        #expect(!manager.sample(now: Date()).contains { $0.metric == "model_output" })
        fixture.reading.withLock { $0 = [0: [1], 1: [3]] }
        manager.runDueSchedules(now: start.advanced(by: .seconds(10)))
        points = manager.sample(now: Date())
        #expect(!points.contains { $0.metric == "model_output" })
        #expect(points.contains { $0.metric == "model_schedule_failures_total" && $0.labels == ["model": "doubler"] && $0.value == 1 })
    }

    @Test func scheduleThatDoesNotFitTheModelIsRefusedAtDeploy() throws {
        let fixture = Fixture()
        defer { fixture.cleanUp() }
        let manager = try fixture.manager()
        let metadata: JSON = ["schedule": ["every_seconds": 1, "features_from": ["program": "counters", "map": "per_cpu", "input": "nope"]]]
        #expect { try manager.deploy(try fixture.payload("doubler", try ONNXFixtures.bytes("double", 3), metadata: metadata)) } throws: {
            "\($0)" == "cannot deploy model 'doubler': the schedule feeds input 'nope', which the model does not have (its inputs: x)"
        }
        #expect(manager.deployedNames.isEmpty)
    }

    @Test func scheduleMetadataIsChecked() throws {
        func schedule(_ json: JSON) throws -> ModelSchedule? {
            try ModelDeployRequest(payload: ["name": "m", "sha256": .string(String(repeating: "0", count: 64)),
                                             "metadata": ["schedule": json]]).schedule
        }
        #expect(try schedule(["every_seconds": 2.5, "features_from": ["program": "p", "map": "m", "input": "x"]])
                    == ModelSchedule(everySeconds: 2.5, program: "p", map: "m", input: "x"))
        let bad: [(JSON, String)] = [
            (["every_seconds": 0, "features_from": ["program": "p", "map": "m"]], "metadata.schedule.every_seconds: must be between 1 and 86400, got 0"),
            (["every_seconds": 1], "metadata.schedule.features_from: required field is missing"),
            (["every_seconds": 1, "features_from": ["program": "p"]], "metadata.schedule.features_from.map: required field is missing"),
            (["every_seconds": 1, "features_from": ["program": "p", "map": "m"], "at": 3], "metadata.schedule: unknown field 'at'"),
        ]
        for (json, message) in bad {
            #expect { try schedule(json) } throws: { "\($0)" == message }
        }
        #expect(ModelSchedule.features([7: [1, 2], 3: [9, 8]]) == [9, 8, 1, 2], "key order, then field order")
    }
}
