import Foundation
import FleetJSON
import Testing

/// Model commands: `model.deploy` filled in from the registry, `model.remove` and `inference.run` checked.
@Suite struct ModelCommandTests {
    @Test func modelDeployIsFilledInFromTheRegistry() throws {
        let server = try TestServer()
        let signature = Data((0..<64).map { UInt8($0) }).base64EncodedString()
        let model = try server.registeredModel(name: "anomaly", version: "1.0.0", variant: 10,
                                               metadata: #"{"input_map": "features"}"#, signature: signature)
        let id = try #require(model["id"]?.stringValue)
        let sha256 = try #require(model["sha256"]?.stringValue)
        let device = try server.enroll()

        let created = try server.sendCommand(to: device.id, type: "model.deploy", payload: ["model": "anomaly@1.0.0"])
        #expect(created.status == 201, "\(created)")
        let payload = created.json["payload"] ?? .null
        #expect(payload["model"] == "anomaly@1.0.0")
        #expect(payload["model_id"]?.stringValue == id)
        #expect(payload["name"] == "anomaly")
        #expect(payload["version"] == "1.0.0")
        #expect(payload["sha256"]?.stringValue == sha256)
        #expect(payload["size"] == model["size"])
        #expect(payload["url"]?.stringValue == "/v1/executor/artifacts/\(sha256)")
        #expect(payload["signature"]?.stringValue == signature)
        #expect(payload["metadata"] == ["input_map": "features"])
        #expect(payload["inputs"] == model["inputs"])
        #expect(payload["outputs"] == model["outputs"])
        // The device can fetch what the payload points at.
        #expect(try server.call("GET", payload["url"]?.stringValue ?? "", token: device.token).status == 200)

        let byID = try server.sendCommand(to: device.id, type: "model.deploy", payload: ["model_id": .string(id), "name": "scorer"])
        #expect(byID.status == 201, "\(byID)")
        #expect(byID.json["payload"]?["name"] == "scorer", "an explicit deployment name is kept")
        #expect(byID.json["payload"]?["sha256"]?.stringValue == sha256)
    }

    @Test func modelCommandsNeedAnExistingModelAndWellFormedPayloads() throws {
        let server = try TestServer()
        _ = try server.registeredModel(name: "known", version: "1", variant: 11)
        let device = try server.enroll()
        let cases: [(what: String, type: String, payload: JSON, status: Int)] = [
            ("an unknown name@version", "model.deploy", ["model": "known@2"], 422),
            ("an unknown model_id", "model.deploy", ["model_id": .string(UUID().uuidString)], 422),
            ("no version", "model.deploy", ["model": "known"], 400),
            ("an invalid name", "model.deploy", ["model": "@1"], 400),
            ("both references", "model.deploy", ["model": "known@1", "model_id": .string(UUID().uuidString)], 400),
            ("no reference", "model.deploy", [:], 400),
            ("a reference that is not a string", "model.deploy", ["model": 5], 400),
            ("a model_id that is not a UUID", "model.deploy", ["model_id": "x"], 400),
            ("an invalid deployment name", "model.deploy", ["model": "known@1", "name": "a b"], 400),
            ("a payload that is not an object", "model.deploy", "known@1", 400),
            ("a remove without a name", "model.remove", [:], 400),
            ("a remove with an invalid name", "model.remove", ["name": "a/b"], 400),
            ("a remove with an unknown member", "model.remove", ["name": "known", "force": true], 400),
        ]
        for item in cases {
            expectProblem(try server.sendCommand(to: device.id, type: item.type, payload: item.payload), item.status, item.what)
        }
        #expect(try server.sendCommand(to: device.id, type: "model.remove", payload: ["name": "known"]).status == 201)
    }

    static func run(_ inputs: JSON, model: JSON = "anomaly") -> JSON {
        ["model": model, "inputs": inputs]
    }

    @Test func inferenceRunTensorsAreChecked() throws {
        let server = try TestServer()
        let device = try server.enroll()
        let good: JSON = ["input": ["shape": [1, 4], "data": [0.1, 0.2, 0.3, 0.4]]]
        #expect(try server.sendCommand(to: device.id, type: "inference.run", payload: Self.run(good)).status == 201,
                "well-formed tensors pass while the server does not know the deployed model")

        let cases: [(what: String, payload: JSON, reason: String)] = [
            ("a negative dimension", Self.run(["input": ["shape": [-1, 4], "data": [1, 2, 3, 4]]]), "payload.inputs.input.shape[0]"),
            ("a fractional dimension", Self.run(["input": ["shape": [1.5, 4], "data": [1, 2, 3, 4]]]), "non-negative integer"),
            ("too few elements", Self.run(["input": ["shape": [2, 4], "data": [1, 2, 3, 4]]]), "has 4 elements; shape [2, 4] needs 8"),
            ("too many elements", Self.run(["input": ["shape": [], "data": [1, 2]]]), "has 2 elements; shape [] needs 1"),
            ("an unknown dtype", Self.run(["input": ["shape": [1], "data": [1], "dtype": "float16"]]), "unknown dtype 'float16'"),
            ("an int8 out of range", Self.run(["input": ["shape": [2], "data": [1, 200], "dtype": "int8"]]), "payload.inputs.input.data[1]"),
            ("a fraction as uint8", Self.run(["input": ["shape": [1], "data": [0.5], "dtype": "uint8"]]), "does not fit uint8"),
            ("a string element", Self.run(["input": ["shape": [1], "data": ["1"]]]), "does not fit float32"),
            ("a float32 overflow", Self.run(["input": ["shape": [1], "data": [1e300]]]), "does not fit float32"),
            ("a flat list instead of a tensor", Self.run(["input": [1, 2, 3, 4]]), "payload.inputs.input"),
            ("an unknown tensor member", Self.run(["input": ["shape": [1], "data": [1], "layout": "nchw"]]), "unknown field 'layout'"),
            ("no inputs", Self.run([:]), "at least one input"),
            ("no model", ["inputs": good], "payload.model"),
            ("an empty model name", Self.run(good, model: ""), "payload.model"),
            ("a payload that is not an object", [good], "payload"),
        ]
        for item in cases {
            let answer = try server.sendCommand(to: device.id, type: "inference.run", payload: item.payload)
            expectProblem(answer, 422, item.what)
            #expect(answer.problemDetail?.contains(item.reason) == true, "\(item.what): \(answer)")
        }
        let integers = Self.run(["input": ["shape": [2, 2], "data": [-128, 0, 1, 127], "dtype": "int8"]])
        #expect(try server.sendCommand(to: device.id, type: "inference.run", payload: integers).status == 201)
    }

    @Test func inferenceRunInputsMustFitTheModelTheDeviceDeployed() throws {
        let server = try TestServer()
        _ = try server.registeredModel(name: "anomaly", version: "1", variant: 12)
        let device = try server.enroll()
        try server.runCommand(on: device, type: "model.deploy", payload: ["model": "anomaly@1"])

        let cases: [(what: String, inputs: JSON, reason: String)] = [
            ("an unknown input", ["features": ["shape": [1, 4], "data": [1, 2, 3, 4]]], "has no input 'features'; its inputs are input"),
            ("an extra input", ["input": ["shape": [1, 4], "data": [1, 2, 3, 4]], "extra": ["shape": [1], "data": [1]]], "has no input 'extra'"),
            ("another fixed dimension", ["input": ["shape": [1, 5], "data": [1, 2, 3, 4, 5]]], "shape [1, 5] does not fit [batch, 4]"),
            ("another rank", ["input": ["shape": [4], "data": [1, 2, 3, 4]]], "shape [4] does not fit [batch, 4]"),
            ("another dtype", ["input": ["shape": [1, 4], "data": [1, 2, 3, 4], "dtype": "int32"]], "takes float32, not int32"),
        ]
        for item in cases {
            let answer = try server.sendCommand(to: device.id, type: "inference.run", payload: Self.run(item.inputs))
            expectProblem(answer, 422, item.what)
            #expect(answer.problemDetail?.contains(item.reason) == true, "\(item.what): \(answer)")
        }
        let batch: JSON = ["input": ["shape": [3, 4], "data": .array((0..<12).map { .double(Double($0) / 10) })]]
        #expect(try server.sendCommand(to: device.id, type: "inference.run", payload: Self.run(batch)).status == 201,
                "the open batch dimension takes any size")

        // Another device, or a removed deployment: the server does not know what runs there and lets the executor judge.
        let other = try server.enroll()
        let unknown: JSON = ["features": ["shape": [1], "data": [1]]]
        #expect(try server.sendCommand(to: other.id, type: "inference.run", payload: Self.run(unknown)).status == 201)
        try server.runCommand(on: device, type: "model.remove", payload: ["name": "anomaly"])
        #expect(try server.sendCommand(to: device.id, type: "inference.run", payload: Self.run(unknown)).status == 201)
    }
}
