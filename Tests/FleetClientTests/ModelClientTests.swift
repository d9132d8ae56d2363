import Foundation
import Testing
import FleetCore
import FleetJSON
@testable import FleetClient

@Suite struct ModelClientTests {
    static let modelJSON: JSON = [
        "id": "5e1d0000-0000-4000-8000-000000000002", "name": "anomaly", "version": "1.0.0",
        "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "size": 2048,
        "metadata": ["input_map": "features"], "ir_version": 8, "opset_version": 13, "producer": "pytorch 2.1",
        "inputs": [["name": "input", "dtype": "float32", "shape": ["batch", 4]]],
        "outputs": [["name": "score", "dtype": nil, "shape": [nil, 3]], ["name": "aux", "dtype": "int64", "shape": nil]],
        "operators": ["Gemm", "Relu"],
        "signed": false, "signature": nil, "created_at": "2026-11-29T07:00:00.000000Z", "created_by": "token:x (operator)",
    ]

    func client(_ transport: RecordingTransport) -> FleetClient {
        FleetClient(configuration: ClientConfiguration(server: "http://fleet.test:8080", token: BearerToken("fla_test")), transport: transport)
    }

    @Test func formCarriesTheModelAsAStreamedFileThenMetadataAndSignature() {
        let form = NewModel(name: "anomaly", version: "1.0.0", modelPath: "/models/anomaly.onnx", metadata: ["a": 1], signature: "c2ln").form
        #expect(form.parts.map(\.name) == ["name", "version", "model", "metadata", "signature"])
        #expect(form.part("model")?.content == .file(path: "/models/anomaly.onnx"))
        #expect(form.part("model")?.filename == "anomaly.onnx")
        #expect(form.part("metadata")?.content == .bytes(Array(#"{"a":1}"#.utf8)))
        #expect(form.part("metadata")?.contentType == "application/json")
        #expect(NewModel(name: "m", version: "1", modelPath: "m.onnx").form.parts.map(\.name) == ["name", "version", "model"])
    }

    @Test func uploadDecodesTheDescribedModel() throws {
        let transport = RecordingTransport([.json(201, Self.modelJSON.serialized())])
        let model = try client(transport).uploadModel(NewModel(name: "anomaly", version: "1.0.0", modelPath: #filePath))
        #expect(model.inputs == [.init(name: "input", dtype: "float32", shape: [.symbolic("batch"), .fixed(4)])])
        #expect(model.outputs.map(\.description) == ["score: ?[?, 3]", "aux: int64"])
        #expect(model.opsetVersion == 13)
        #expect(model.metadata == ["input_map": "features"])
        #expect(model.json == Self.modelJSON)
        #expect(transport.requests.first?.url == "http://fleet.test:8080/v1/models")
        #expect(transport.forms.first?.part("model")?.content == .file(path: #filePath))
    }

    @Test func aModelIsFoundByNameAndVersion() throws {
        var other = Self.modelJSON.objectValue!
        other["version"] = "2.0.0"
        other["id"] = "5e1d0000-0000-4000-8000-000000000003"
        let page: JSON = ["items": [Self.modelJSON, .object(other)], "next_cursor": nil]
        let transport = RecordingTransport([.json(200, page.serialized()), .json(200, page.serialized())])
        let found = try client(transport).model(name: "anomaly", version: "2.0.0")
        #expect(found.id.description == "5e1d0000-0000-4000-8000-000000000003")
        #expect(transport.requests.first?.url == "http://fleet.test:8080/v1/models?name=anomaly")
        let error = try #require(throws: FleetClientError.self) { try client(transport).model(name: "anomaly", version: "3") }
        #expect(error.status == 404)
    }

    @Test func downloadReadsTheContentPath() throws {
        let bytes: [UInt8] = [8, 1, 18, 4]
        let transport = RecordingTransport([HTTPResponse(status: 200, body: bytes)])
        var received: [UInt8] = []
        let id = try #require(RegisteredModel.ID("5e1d0000-0000-4000-8000-000000000002"))
        #expect(try client(transport).downloadModel(id) { received.append(contentsOf: $0) } == 4)
        #expect(received == bytes)
        #expect(transport.requests.first?.url == "http://fleet.test:8080/v1/models/5e1d0000-0000-4000-8000-000000000002/content")
    }

    @Test func tableAndDetailShowInputsAndOpset() throws {
        let transport = RecordingTransport([.json(200, Self.modelJSON.serialized())])
        let model = try client(transport).model(try #require(RegisteredModel.ID("5e1d0000-0000-4000-8000-000000000002")))
        let now = try #require(Timestamp.parse("2026-11-29T08:00:00Z"))
        let table = Table.models([model], now: now).render()
        #expect(table.contains("input: float32[batch, 4]"))
        #expect(table.contains("9f86d081884c"))
        let detail = DetailView.model(model, now: now).render()
        #expect(detail.contains("OPERATORS"))
        #expect(detail.contains("Gemm, Relu"))
        #expect(detail.contains("score: ?[?, 3]"))
    }
}
