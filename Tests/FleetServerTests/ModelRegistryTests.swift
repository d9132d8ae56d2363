import Foundation
import FleetJSON
import FleetPostgres
import Testing

// The ONNX model registry: uploads validated by FleetInference's loader, stored like program objects,
// listed, downloaded and deleted under the deployment rule; model commands filled in and checked.
// Models are built in the test with the `onnx` Python package.

/// ONNX models built for the tests.
enum ModelFixtures {
    /// `mlp`: Gemm then Relu, `input` float32[batch, 4] -> `score` float32[batch, 3], opset 14; `VARIANT` sets
    /// the bias, so the bytes differ. `unsupported`: Einsum and NonMaxSuppression, which the runtime does not implement.
    static let script = """
        import sys
        import numpy as np
        import onnx
        from onnx import helper, numpy_helper, TensorProto
        kind, variant, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
        def save(nodes, outputs, initializers=()):
            inputs = [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 4])]
            graph = helper.make_graph(nodes, kind, inputs, outputs, list(initializers))
            model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)],
                                      producer_name="fleet-tests", producer_version="1")
            model.ir_version = 8
            onnx.checker.check_model(model)
            onnx.save(model, out)
        if kind == "mlp":
            weight = numpy_helper.from_array((np.arange(12, dtype=np.float32).reshape(4, 3) - 5) / 10, "weight")
            bias = numpy_helper.from_array(np.full(3, variant, dtype=np.float32), "bias")
            save([helper.make_node("Gemm", ["input", "weight", "bias"], ["hidden"]), helper.make_node("Relu", ["hidden"], ["score"])],
                 [helper.make_tensor_value_info("score", TensorProto.FLOAT, ["batch", 3])], [weight, bias])
        elif kind == "unsupported":
            save([helper.make_node("Einsum", ["input", "input"], ["score"], equation="ij,ij->ij"),
                  helper.make_node("NonMaxSuppression", ["input", "input"], ["selected"])],
                 [helper.make_tensor_value_info("score", TensorProto.FLOAT, ["batch", 4]),
                  helper.make_tensor_value_info("selected", TensorProto.INT64, [None, 3])])
        """

    static func model(_ kind: String, variant: Int = 0) throws -> URL {
        let url = ProgramFixtures.directory.appendingPathComponent("\(kind)-\(variant)-\(UUID().uuidString.prefix(8)).onnx")
        let result = try ProgramFixtures.run("/usr/bin/env", ["python3", "-c", script, kind, String(variant), url.path])
        try #require(result.status == 0, "building the \(kind) model failed: \(result.errors)")
        return url
    }
}

extension TestServer {
    func uploadModel(name: String, version: String, file: URL, metadata: String? = nil, signature: String? = nil,
                     token: String? = nil) throws -> Answer {
        var fields: [FormField] = [.text("name", name), .text("version", version), .file("model", file)]
        if let metadata { fields.append(.text("metadata", metadata)) }
        if let signature { fields.append(.text("signature", signature)) }
        return try curlUpload(base: base, path: "/v1/models", token: token ?? adminToken, fields)
    }

    /// Uploads the MLP fixture and returns the model JSON.
    func registeredModel(name: String = "mlp-\(UUID().uuidString.prefix(6))", version: String = "1.0.0", variant: Int = 0,
                         metadata: String? = nil, signature: String? = nil) throws -> JSON {
        let answer = try uploadModel(name: name, version: version, file: try ModelFixtures.model("mlp", variant: variant),
                                     metadata: metadata, signature: signature)
        try #require(answer.status == 201, "upload: \(answer)")
        return answer.json
    }
}

@Suite struct ModelRegistryTests {
    @Test func uploadedModelIsDescribedListedAndDownloadedByteForByte() throws {
        let server = try TestServer()
        let file = try ModelFixtures.model("mlp")
        let bytes = [UInt8](try Data(contentsOf: file))
        let digest = try ProgramFixtures.sha256(of: file)
        let answer = try server.uploadModel(name: "anomaly", version: "1.0.0", file: file,
                                            metadata: #"{"input_map": "features", "every_seconds": 10}"#)
        try #require(answer.status == 201, "\(answer)")
        let model = answer.json
        let id = try #require(model["id"]?.stringValue)
        #expect(model["name"] == "anomaly")
        #expect(model["version"] == "1.0.0")
        #expect(model["sha256"]?.stringValue == digest)
        #expect(model["size"]?.int64Value == Int64(bytes.count))
        #expect(model["ir_version"] == 8)
        #expect(model["opset_version"] == 14)
        #expect(model["producer"] == "fleet-tests 1")
        #expect(model["inputs"] == [["name": "input", "dtype": "float32", "shape": ["batch", 4]]])
        #expect(model["outputs"] == [["name": "score", "dtype": "float32", "shape": ["batch", 3]]])
        #expect(model["operators"] == ["Gemm", "Relu"])
        #expect(model["metadata"] == ["input_map": "features", "every_seconds": 10])
        #expect(model["signed"] == false)
        #expect(model["signature"] == .null)

        let fetched = try server.call("GET", "/v1/models/\(id)", token: server.adminToken)
        #expect(fetched.status == 200)
        #expect(fetched.json == model)

        let other = try server.registeredModel(name: "other", version: "1", variant: 1)
        #expect(other["metadata"] == .null)
        #expect(try server.call("GET", "/v1/models?name=anomaly", token: server.adminToken).itemIDs == [id])
        let firstPage = try server.call("GET", "/v1/models?limit=1", token: server.adminToken)
        #expect(firstPage.itemIDs == [id])
        let cursor = try #require(firstPage.json["next_cursor"]?.stringValue)
        let secondPage = try server.call("GET", "/v1/models?limit=1&cursor=\(cursor)", token: server.adminToken)
        #expect(secondPage.itemIDs == [other["id"]?.stringValue].compactMap { $0 })
        #expect(secondPage.json["next_cursor"] == .null)
        #expect(try server.call("GET", "/v1/programs", token: server.adminToken).items.isEmpty, "models are not programs")

        let download = try server.call("GET", "/v1/models/\(id)/content", token: server.adminToken)
        #expect(download.status == 200)
        #expect(download.body == bytes)
        #expect(try ProgramFixtures.sha256(of: try ProgramFixtures.file(named: "downloaded", bytes: download.body)) == digest)
        #expect(download.header("ETag") == "\"\(digest)\"")
        #expect(download.header("Content-Disposition") == "attachment; filename=\"anomaly-1.0.0.onnx\"")

        // Executors fetch the same bytes by digest, in ranges if they like.
        let device = try server.enroll()
        let artifact = try server.call("GET", "/v1/executor/artifacts/\(digest)", token: device.token)
        #expect(artifact.status == 200)
        #expect(artifact.body == bytes)
        let range = try server.call("GET", "/v1/executor/artifacts/\(digest)", token: device.token, headers: [("Range", "bytes=10-19")])
        #expect(range.status == 206)
        #expect(range.body == Array(bytes[10...19]))

        let audit = try server.call("GET", "/v1/audit", token: server.adminToken)
        #expect(audit.items.contains { $0["action"] == "model.create" && $0["target_id"]?.stringValue == id })
    }

    @Test func invalidModelsAreRejectedWithTheReason() throws {
        let server = try TestServer()
        let valid = [UInt8](try Data(contentsOf: try ModelFixtures.model("mlp")))
        var random = SystemRandomNumberGenerator()
        let cases: [(what: String, file: URL, metadata: String?, reasons: [String])] = [
            ("random bytes", try ProgramFixtures.file(named: "random", bytes: (0..<4096).map { _ in UInt8.random(in: 0...255, using: &random) }),
             nil, ["model: not a valid ONNX model"]),
            ("a truncated model", try ProgramFixtures.file(named: "truncated", bytes: Array(valid.prefix(valid.count * 2 / 3))),
             nil, ["model: not a valid ONNX model"]),
            ("an eBPF object", try ProgramFixtures.counterObject(), nil, ["model: not a valid ONNX model"]),
            ("unsupported operators", try ModelFixtures.model("unsupported"), nil, ["2 unsupported operators: Einsum, NonMaxSuppression"]),
            ("metadata that is not an object", try ModelFixtures.model("mlp", variant: 1), "[1, 2]", ["metadata must be a JSON object"]),
            ("metadata that is not JSON", try ModelFixtures.model("mlp", variant: 2), "{input", ["metadata is not valid JSON"]),
        ]
        for (index, item) in cases.enumerated() {
            let answer = try server.uploadModel(name: "bad", version: "\(index)", file: item.file, metadata: item.metadata)
            expectProblem(answer, 422, item.what)
            for reason in item.reasons {
                #expect(answer.problemDetail?.contains(reason) == true, "\(item.what): \(answer)")
            }
        }
        #expect(try server.call("GET", "/v1/models", token: server.adminToken).items.isEmpty)
        let pool = PostgresPool(conninfo: server.conninfo, size: 1)
        defer { pool.close() }
        #expect(try pool.query("SELECT count(*) AS n FROM artifacts").first?.decode("n", as: Int.self) == 0)
    }

    @Test func uploadsNeedAnOperatorAWellFormedFormAndANewVersion() throws {
        let server = try TestServer()
        let file = try ModelFixtures.model("mlp", variant: 3)
        let device = try server.enroll()
        expectProblem(try server.uploadModel(name: "m", version: "1", file: file, token: try server.createToken(role: "viewer")), 403, "a viewer")
        expectProblem(try server.uploadModel(name: "m", version: "1", file: file, token: device.token), 403, "a device")
        let anonymous = try curlUpload(base: server.base, path: "/v1/models", token: nil,
                                       [.text("name", "m"), .text("version", "1"), .file("model", file)])
        expectProblem(anonymous, 401, "no token")
        let made = try server.uploadModel(name: "m", version: "1", file: file, token: try server.createToken(role: "operator"))
        #expect(made.status == 201, "\(made)")

        expectProblem(try server.uploadModel(name: "m", version: "1", file: try ModelFixtures.model("mlp", variant: 4)), 409, "the same name@version")
        let again = try server.uploadModel(name: "m", version: "2", file: file)
        #expect(again.json["sha256"] == made.json["sha256"], "identical bytes share an artifact")
        let asObject = try curlUpload(base: server.base, path: "/v1/models", token: server.adminToken,
                                      [.text("name", "m"), .text("version", "3"), .file("object", file)])
        expectProblem(asObject, 400, "the program's form field")
        #expect(asObject.problemDetail?.contains("send name, version, model") == true, "\(asObject)")
        expectProblem(try server.uploadModel(name: "-m", version: "3", file: file), 400, "an invalid name")
        expectProblem(try server.uploadModel(name: "m", version: "3", file: file, signature: "c2hvcnQ="), 400, "a short signature")
    }

    @Test func deleteIsRefusedWhileADeviceHoldsTheModel() throws {
        let server = try TestServer()
        let model = try server.registeredModel(name: "held", version: "1", variant: 5)
        let id = try #require(model["id"]?.stringValue)
        let digest = try #require(model["sha256"]?.stringValue)
        let device = try server.enroll()

        try server.runCommand(on: device, type: "model.deploy", payload: ["model": "held@1"])
        let refused = try server.call("DELETE", "/v1/models/\(id)", token: server.adminToken)
        expectProblem(refused, 409, "a model a device deployed")
        #expect(refused.problemDetail?.contains(device.id) == true, "\(refused)")

        try server.runCommand(on: device, type: "model.remove", payload: ["name": "held"], state: "failed")
        expectProblem(try server.call("DELETE", "/v1/models/\(id)", token: server.adminToken), 409, "after a failed remove")
        try server.runCommand(on: device, type: "model.remove", payload: ["name": "held"])

        let queued = try server.queuedCommand(for: device.id, type: "model.deploy", extra: ["payload": ["model_id": .string(id)]])
        expectProblem(try server.call("DELETE", "/v1/models/\(id)", token: server.adminToken), 409, "while a deploy is queued")
        #expect(try server.call("POST", "/v1/commands/\(queued)/cancel", token: server.adminToken).status == 200)

        #expect(try server.call("DELETE", "/v1/models/\(id)", token: server.adminToken).status == 204)
        expectProblem(try server.call("GET", "/v1/models/\(id)", token: server.adminToken), 404, "a deleted model")
        expectProblem(try server.call("DELETE", "/v1/models/\(id)", token: server.adminToken), 404, "deleting twice")
        expectProblem(try server.call("GET", "/v1/executor/artifacts/\(digest)", token: device.token), 404, "the bytes of a deleted model")

        let audit = try server.call("GET", "/v1/audit", token: server.adminToken)
        #expect(audit.items.contains { $0["action"] == "model.delete" && $0["target_id"]?.stringValue == id })
    }

    @Test func aLaterDeployUnderTheSameNameFreesTheEarlierModel() throws {
        let server = try TestServer()
        let first = try #require(try server.registeredModel(name: "scorer", version: "1", variant: 6)["id"]?.stringValue)
        let second = try #require(try server.registeredModel(name: "scorer", version: "2", variant: 7)["id"]?.stringValue)
        let device = try server.enroll()
        let other = try server.enroll()

        try server.runCommand(on: device, type: "model.deploy", payload: ["model": "scorer@1"])
        try server.runCommand(on: device, type: "model.deploy", payload: ["model": "scorer@2"])
        try server.runCommand(on: other, type: "model.deploy", payload: ["model": "scorer@1", "name": "old-scorer"])
        expectProblem(try server.call("DELETE", "/v1/models/\(first)", token: server.adminToken), 409, "still deployed on the other device")
        try server.runCommand(on: other, type: "model.remove", payload: ["name": "old-scorer"])
        #expect(try server.call("DELETE", "/v1/models/\(first)", token: server.adminToken).status == 204,
                "replaced on one device, removed on the other")
        expectProblem(try server.call("DELETE", "/v1/models/\(second)", token: server.adminToken), 409, "the model deployed now")
        #expect(try server.call("DELETE", "/v1/devices/\(device.id)", token: server.adminToken).status == 204)
        #expect(try server.call("DELETE", "/v1/models/\(second)", token: server.adminToken).status == 204, "decommissioned devices hold nothing")
    }
}
